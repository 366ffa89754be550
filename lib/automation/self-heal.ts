import { stableId } from '../lambda/ids.js';
import type { AlertRepository, StoredAlert } from '../alerts/repository.js';
import type { IncidentRepository } from '../incidents/repository.js';
import type { IncidentNote } from '../incidents/timeline.js';
import { describeArgs } from '../feishu/cards.js';
import { escapeMarkdown } from '../feishu/cards.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import { validateRequest } from './actions.js';
import { appendAudit } from './audit.js';
import type { HealRule, Inventory } from './config.js';
import type { Executor } from './executor.js';
import { templateArgs } from './heal-rules.js';
import type { AutomationRequest, HealLedger, RunLimit } from './requests.js';
import { auditEntry } from './requests.js';
import { delayUntil, queueTask } from './task-queue.js';
import { submitRequest, type AutomationDeps } from './submit.js';

export interface HealDeps extends AutomationDeps {
  alerts: AlertRepository;
  /** Its incident's timeline and cards, where the callout goes. */
  incidents: IncidentRepository;
  noteOnIncident: IncidentNote;
  ledger: HealLedger;
  /** Calls people when a rule did not fix its alert (lib/alerts/notifiers/feishu-callout.ts). */
  callout: Notifier;
  inventory: Inventory;
  /** The http_check executor, for rules that verify with a check rather than the alert resolving. */
  httpCheck?: Executor;
}

const HOUR = 3600_000;

/**
 * What self-healing did goes on the alert's timeline and on its incident's, where people look: `self_heal` when a
 * rule starts, `self_heal_fixed` or `self_heal_failed` for how it ended (the reports count those), with the request.
 */
async function note(
  deps: HealDeps,
  alertId: string,
  detail: string,
  event: 'self_heal' | 'self_heal_fixed' | 'self_heal_failed' = 'self_heal',
  ref?: string,
) {
  const entry = { at: new Date(deps.now()).toISOString(), event, detail, ...(ref ? { ref } : {}) };
  await deps.alerts.appendTimeline(alertId, [entry]);
  const incidentId = (await deps.alerts.get(alertId))?.incidentId;
  if (incidentId) await deps.noteOnIncident(incidentId, entry);
}

/**
 * Tells people that self-healing did not fix the alert, and what it tried: a reply under the alert's chat cards and
 * an urgent call to the on-call person on their own card. Audited like everything else a rule does.
 */
async function escalate(stored: StoredAlert, rule: HealRule, why: string, deps: HealDeps, request?: AutomationRequest) {
  const tried = request ? `${request.action} ${describeArgs(request.args)}` : `${rule.action}（未执行）`;
  const callout = {
    title: `自愈未能处理告警「${stored.alert.name}」`,
    lines: [
      `**规则**：${escapeMarkdown(rule.name)}`,
      `**尝试了**：${escapeMarkdown(tried)}`,
      `**原因**：${escapeMarkdown(why)}`,
      '**请值班人员人工处理。**',
    ],
    key: rule.name,
  };
  const now = () => new Date(deps.now()).toISOString();
  const incident = stored.incidentId ? await deps.incidents.get(stored.incidentId) : undefined;
  const context = { repo: deps.alerts, incidents: deps.incidents, now, log: deps.log };
  await deps.callout.notify({ stored, incident, callout }, context);
  await note(
    deps,
    stored.alertId,
    `自愈规则 ${rule.name} 已升级给值班人：${why}`,
    'self_heal_failed',
    request?.requestId,
  );
  if (request)
    await appendAudit(
      deps.audit,
      auditEntry(request, 'escalated', new Date(deps.now()).toISOString(), { detail: why }),
    );
  deps.log.warn('self-healing escalated', { alertId: stored.alertId, rule: rule.name, why });
}

/**
 * Starts a rule for an alert (the router queues this when a matching alert opens): guardrails first (dry run, the
 * global and per-rule hourly limits, the per-target cooldown), then the request goes through the same gate as a
 * person's (schema, inventory, the rule's roles) and is run by the runner. A guardrail that stops it escalates.
 */
export async function startHealing(alertId: string, ruleName: string, deps: HealDeps): Promise<void> {
  const stored = await deps.alerts.get(alertId);
  const rule = deps.automation.selfHealing.rules.find((entry) => entry.name === ruleName);
  if (!stored || !rule || stored.status !== 'firing') return;
  const args = templateArgs(rule.args, stored.alert);
  const requestId = stableId('heal', alertId, rule.name);
  if ((await deps.requests.get(requestId)) !== undefined) return; // a redelivered task: the request exists

  const chatId = stored.plan.targets.find((target) => target.kind === 'chat')?.id;
  const input = {
    requestId,
    action: rule.action,
    args,
    requester: { kind: 'rule' as const, rule: rule.name, alertId },
    chatId,
  };
  /** What a rule did not run is audited too, with the rule as the actor. */
  const auditUnrun = (kind: 'dry_run' | 'guardrail_stopped', outcome: string) =>
    appendAudit(deps.audit, {
      requestId,
      kind,
      actor: { rule: rule.name },
      action: rule.action,
      args,
      environment: '-',
      at: new Date(deps.now()).toISOString(),
      outcome,
    });
  if (deps.automation.selfHealing.dryRun || rule.dryRun) {
    await auditUnrun('dry_run', 'not executed (dry run)');
    await note(
      deps,
      alertId,
      `自愈规则 ${rule.name}（演练模式）：将执行 ${rule.action} ${describeArgs(args)}，未实际执行`,
    );
    return;
  }
  // Arguments templated from labels must pass the action's schema before they count against any limit.
  const valid = validateRequest(rule.action, args);
  if (!valid.ok) {
    await escalate(stored, rule, `请求未通过检查：${valid.problem}`, deps);
    return;
  }
  // The cooldown is per target as the action names it (host/unit, cluster/namespace/deployment): the same key as
  // the runner's one-run-at-a-time lock.
  const target = valid.action.target(valid.args);
  const limits: RunLimit[] = [
    {
      key: 'global',
      max: deps.automation.selfHealing.maxRunsPerHour,
      windowMs: HOUR,
      reason: `全局自愈次数已达上限（每小时 ${deps.automation.selfHealing.maxRunsPerHour} 次）`,
    },
    {
      key: `rule#${rule.name}`,
      max: rule.maxRunsPerHour,
      windowMs: HOUR,
      reason: `规则 ${rule.name} 已达上限（每小时 ${rule.maxRunsPerHour} 次）`,
    },
    {
      key: `target#${target}`,
      max: 1,
      windowMs: rule.cooldown * 1000,
      reason: `同一目标在冷却期内（${Math.round(rule.cooldown / 60)} 分钟内已自愈过）`,
    },
  ];
  const claim = await deps.ledger.claim(limits, deps.now());
  if (!claim.ok) {
    await auditUnrun('guardrail_stopped', claim.limit.reason);
    await escalate(stored, rule, `护栏阻止了自愈：${claim.limit.reason}`, deps);
    return;
  }
  const submitted = await submitRequest(input, deps);
  if (!submitted.ok || submitted.request.status === 'denied') {
    const why = submitted.ok ? (submitted.request.summary ?? '无权限') : submitted.problem;
    await escalate(stored, rule, `请求未通过检查：${why}`, deps, submitted.ok ? submitted.request : undefined);
    return;
  }
  await note(
    deps,
    alertId,
    `自愈规则 ${rule.name}：已提交 ${rule.action} ${describeArgs(args)}（请求 ${requestId}）`,
    'self_heal',
    requestId,
  );
}

/** After a rule's run: a failure escalates at once; a success is verified after the rule's `within`. */
export async function afterHealingRun(request: AutomationRequest, deps: HealDeps): Promise<void> {
  if (request.requester.kind !== 'rule') return;
  const { alertId, rule: ruleName } = request.requester;
  const rule = deps.automation.selfHealing.rules.find((entry) => entry.name === ruleName);
  const stored = await deps.alerts.get(alertId);
  if (!rule || !stored) return;
  if (request.status !== 'succeeded') {
    await escalate(stored, rule, `执行失败：${request.summary ?? '原因未知'}`, deps, request);
    return;
  }
  await note(
    deps,
    alertId,
    `自愈规则 ${rule.name}：执行成功（${request.summary ?? ''}），${Math.round(rule.verify.within / 60)} 分钟内校验效果`,
  );
  await queueTask(
    deps,
    { kind: 'verify', requestId: request.requestId },
    delayUntil(new Date(deps.now() + rule.verify.within * 1000).toISOString(), deps.now()),
  );
}

/** The check after a successful run: the alert resolved, or the rule's inventory check passes; otherwise escalate. */
export async function verifyHealing(requestId: string, deps: HealDeps): Promise<void> {
  const request = await deps.requests.get(requestId);
  if (!request || request.requester.kind !== 'rule') return;
  const { alertId, rule: ruleName } = request.requester;
  const rule = deps.automation.selfHealing.rules.find((entry) => entry.name === ruleName);
  const stored = await deps.alerts.get(alertId);
  if (!rule || !stored) return;
  // SQS delays at most 15 minutes: a longer `within` is waited for in several hops.
  const due = Date.parse(request.finishedAt ?? request.requestedAt) + rule.verify.within * 1000;
  if (deps.now() < due) {
    await queueTask(deps, { kind: 'verify', requestId }, delayUntil(new Date(due).toISOString(), deps.now()));
    return;
  }
  let fixed = stored.status === 'resolved';
  let how = fixed ? '告警已恢复' : '告警仍在触发';
  if (!fixed && rule.verify.check && deps.httpCheck) {
    const outcome = await deps.httpCheck(
      { check: rule.verify.check },
      { log: deps.log, progress: async () => undefined, deadline: deps.now() + 15_000 },
    );
    fixed = outcome.ok;
    how = `校验 ${rule.verify.check}：${outcome.summary}`;
  }
  const at = new Date(deps.now()).toISOString();
  if (fixed) {
    await appendAudit(deps.audit, auditEntry(request, 'verified', at, { outcome: how }));
    await note(deps, alertId, `自愈规则 ${rule.name}：已见效（${how}）`, 'self_heal_fixed', request.requestId);
    return;
  }
  await escalate(stored, rule, `执行后 ${Math.round(rule.verify.within / 60)} 分钟内未见效（${how}）`, deps, request);
}
