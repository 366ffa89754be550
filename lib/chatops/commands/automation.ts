import * as z from 'zod';
import { stableId } from '../../lambda/ids.js';
import { imageReference, lookBack, unitName, checkName, hostName } from '../../automation/arguments.js';
import { verifyAudit } from '../../automation/audit.js';
import { rolesOf } from '../../automation/permissions.js';
import { submitRequest } from '../../automation/submit.js';
import type { OutgoingMessage } from '../../feishu/messenger.js';
import { textReply, type ChatAutomation, type ChatopsDeps, type Command, type Invocation } from '../command.js';
import { parseArgs, UsageError } from '../usage.js';

function automationOf(deps: ChatopsDeps): ChatAutomation {
  if (!deps.automation)
    throw new UsageError('自动化未配置（config/automation.yaml、config/inventory.yaml）', '请联系平台管理员');
  return deps.automation;
}

/**
 * Submits the request a command stands for. The answer is the request's own card (排队中, 待审批 …), sent in reply
 * by the cards; a refusal (bad target, no permission) is answered in words.
 */
export async function submit(
  invocation: Invocation,
  deps: ChatopsDeps,
  action: string,
  args: Record<string, unknown>,
  /** A card's click: the incident it is about, and the click's event as what names the request. */
  click?: { incidentId: string; eventId: string },
): Promise<OutgoingMessage | undefined> {
  const automation = automationOf(deps);
  const result = await submitRequest(
    {
      requestId: click ? stableId('request', 'click', click.eventId) : stableId('request', invocation.messageId),
      action,
      args,
      requester: { kind: 'person', actor: invocation.actor },
      chatId: invocation.chatId,
      messageId: invocation.messageId,
      incidentId: click?.incidentId ?? (await deps.incidents.incidentForWarRoom(invocation.chatId)),
    },
    automation,
  );
  if (!result.ok) return textReply(`无法执行：${result.problem}`);
  if (result.request.status === 'denied') return textReply(`无法执行：${result.request.summary}`);
  await automation.cards.show(result.request);
  return undefined;
}

const restartUsage = '/restart <服务名> [主机]';
const restart: Command = {
  name: 'restart',
  usage: [restartUsage],
  summary: '重启服务：主机上的 systemd 服务，或 Kubernetes 上的部署（需要权限，生产环境需他人审批）',
  example: '/restart nginx web-01',
  async run(invocation, deps) {
    const [service, host] = parseArgs(
      z.tuple([unitName]).or(z.tuple([unitName, hostName])),
      invocation.args,
      restartUsage,
    ) as [string, string?];
    const { inventory } = automationOf(deps);
    if (host) return submit(invocation, deps, 'restart_service', { host, unit: service });
    const deployment = inventory.deployments[service];
    if (deployment)
      return submit(invocation, deps, 'k8s_rollout_restart', {
        cluster: deployment.cluster,
        namespace: deployment.namespace,
        deployment: deployment.deployment,
      });
    const hosts = Object.entries(inventory.hosts)
      .filter(([, entry]) => entry.units?.includes(service))
      .map(([name]) => name);
    if (hosts.length === 1) return submit(invocation, deps, 'restart_service', { host: hosts[0], unit: service });
    throw new UsageError(
      hosts.length
        ? `${service} 在多台主机上（${hosts.join('、')}），请指定主机`
        : `清单中没有 ${service}：请指定主机，或在 inventory.yaml 的 deployments 中登记`,
      restartUsage,
    );
  },
};

const deployUsage = '/deploy <服务名> <镜像>';
const deploy: Command = {
  name: 'deploy',
  usage: [deployUsage],
  summary: '更新 Kubernetes 部署的镜像并等待滚动完成，失败自动回滚（需要权限，生产环境需他人审批）',
  example: '/deploy payments registry.example.com/payments/api:1.4.2',
  async run(invocation, deps) {
    const [service, image] = parseArgs(z.tuple([unitName, imageReference]), invocation.args, deployUsage);
    const deployment = automationOf(deps).inventory.deployments[service];
    if (!deployment)
      throw new UsageError(`清单中没有名为 ${service} 的部署（inventory.yaml → deployments）`, deployUsage);
    return submit(invocation, deps, 'k8s_set_image', { ...deployment, image });
  },
};

const logsUsage = '/logs <服务名> [时长]';
const logs: Command = {
  name: 'logs',
  usage: [logsUsage],
  summary: '查看服务最近的日志，最新的在最后（默认 15 分钟内）',
  example: '/logs payments 30m',
  async run(invocation, deps) {
    const [service, since] = parseArgs(
      z.tuple([unitName]).or(z.tuple([unitName, lookBack])),
      invocation.args,
      logsUsage,
    ) as [string, string?];
    return submit(invocation, deps, 'check_logs', { service, since: since ?? '15m', limit: 50 });
  },
};

const checkUsage = '/check <检查名>';
const check: Command = {
  name: 'check',
  usage: [checkUsage],
  summary: '请求清单中登记的健康检查地址，报告状态码和耗时',
  example: '/check payments-health',
  async run(invocation, deps) {
    const [name] = parseArgs(z.tuple([checkName]), invocation.args, checkUsage);
    return submit(invocation, deps, 'http_check', { check: name });
  },
};

const diagnoseUsage = '/diagnose <主机>';
const diagnose: Command = {
  name: 'diagnose',
  usage: [diagnoseUsage],
  summary: '只读地检查一台主机：负载、磁盘、内存、CPU 最高的进程、失败的服务和最近的错误日志（结果在一张卡片上）',
  example: '/diagnose web-01',
  async run(invocation, deps) {
    const [host] = parseArgs(z.tuple([hostName]), invocation.args, diagnoseUsage);
    return submit(invocation, deps, 'diagnose_host', { host });
  },
};

const auditUsage = '/audit verify';
const audit: Command = {
  name: 'audit',
  usage: [auditUsage],
  summary: '校验审计日志（自动化、事件操作、静默、临时值班）的哈希链（仅管理员）',
  example: '/audit verify',
  async run(invocation, deps) {
    parseArgs(z.tuple([z.literal('verify')]), invocation.args, auditUsage);
    const automation = automationOf(deps);
    if (!rolesOf(invocation.actor.openId, automation.automation).includes('admin'))
      return textReply('只有管理员（admin 角色）可以校验审计日志');
    const result = await verifyAudit(automation.audit);
    return textReply(
      result.ok
        ? `审计日志完整：共 ${result.records} 条记录，哈希链无断裂。`
        : `审计日志在第 ${result.brokenAt} 条处断裂：${result.problem}（已检查 ${result.records} 条）`,
    );
  },
};

export const automationCommands: Command[] = [restart, deploy, logs, check, diagnose, audit];
