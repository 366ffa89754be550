import * as z from 'zod';
import { chineseIssues } from '../lambda/chinese-issues.js';
import { checkName, dnsLabel, dnsSubdomain, hostName, imageReference, lookBack, unitName } from './arguments.js';

/**
 * The fixed registry of what automation may do. Nothing outside it can run: a request names an action from this
 * list and its arguments must pass that action's strict schema before anyone is asked for permission.
 */
export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** One line in Chinese, for /help, approval cards and the audit log. */
  description: string;
  args: S;
  /** Whether it changes anything (read-only actions never need approval). */
  changesState: boolean;
  /** Environments it may run in at all; RBAC then narrows who may run it where. */
  environments: readonly string[] | 'any';
  timeoutMs: number;
  /** What it acts on, for one-run-at-a-time locks and cooldowns: `host/unit`, `cluster/namespace/deployment`. */
  target(args: z.infer<S>): string;
}

const define = <S extends z.ZodType>(definition: ActionDefinition<S>) => definition;

export const restartService = define({
  name: 'restart_service',
  description: '通过 SSH 在主机上重启 systemd 服务，并确认服务已恢复运行',
  args: z.strictObject({ host: hostName, unit: unitName }),
  changesState: true,
  environments: 'any',
  timeoutMs: 60_000,
  target: (args) => `${args.host}/${args.unit}`,
});

export const k8sRolloutRestart = define({
  name: 'k8s_rollout_restart',
  description: '滚动重启 Kubernetes Deployment，并等待滚动完成',
  args: z.strictObject({ cluster: dnsLabel, namespace: dnsLabel, deployment: dnsSubdomain }),
  changesState: true,
  environments: 'any',
  timeoutMs: 10 * 60_000,
  target: (args) => `${args.cluster}/${args.namespace}/${args.deployment}`,
});

export const k8sSetImage = define({
  name: 'k8s_set_image',
  description: '更新 Kubernetes Deployment 中容器的镜像，等待滚动完成，失败时回滚到原镜像',
  args: z.strictObject({
    cluster: dnsLabel,
    namespace: dnsLabel,
    deployment: dnsSubdomain,
    container: dnsLabel,
    image: imageReference,
  }),
  changesState: true,
  environments: 'any',
  // With the wait for the rollout and a rollback, inside the runner's 15-minute Lambda limit.
  timeoutMs: 12 * 60_000,
  target: (args) => `${args.cluster}/${args.namespace}/${args.deployment}`,
});

export const checkLogs = define({
  name: 'check_logs',
  description: '查看服务最近的日志（最新的在最后）',
  args: z.strictObject({
    service: unitName,
    since: lookBack.default('15m'),
    limit: z.number().int().min(1).max(200).default(50),
  }),
  changesState: false,
  environments: 'any',
  timeoutMs: 15_000,
  target: (args) => `logs/${args.service}`,
});

export const httpCheck = define({
  name: 'http_check',
  description: '请求清单中登记的健康检查地址，报告状态码和耗时',
  args: z.strictObject({ check: checkName }),
  changesState: false,
  environments: 'any',
  timeoutMs: 15_000,
  target: (args) => `http/${args.check}`,
});

export const diagnoseHost = define({
  name: 'diagnose_host',
  description: '通过 SSH 只读地检查主机：负载、磁盘、内存、CPU 最高的进程、失败的 systemd 单元和最近的错误日志',
  args: z.strictObject({ host: hostName }),
  changesState: false,
  environments: 'any',
  timeoutMs: 60_000,
  target: (args) => `${args.host}/diagnose`,
});

export const actions = [restartService, k8sRolloutRestart, k8sSetImage, checkLogs, httpCheck, diagnoseHost] as const;
export type ActionName = (typeof actions)[number]['name'];
export const actionNames = actions.map((action) => action.name) as ActionName[];

export function findAction(name: string): ActionDefinition | undefined {
  return (actions as readonly ActionDefinition[]).find((action) => action.name === name);
}

/** Checks a request's action and arguments; the problems are returned in words for the person who asked. */
export function validateRequest(
  name: string,
  args: unknown,
): { ok: true; action: ActionDefinition; args: Record<string, unknown> } | { ok: false; problem: string } {
  const action = findAction(name);
  if (!action) return { ok: false, problem: `没有名为 ${name} 的操作` };
  const parsed = action.args.safeParse(args, { error: chineseIssues() });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '参数'}：${issue.message}`);
    return { ok: false, problem: problems.join('；') };
  }
  return { ok: true, action, args: parsed.data as Record<string, unknown> };
}
