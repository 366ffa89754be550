import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import { validateRequest } from './actions.js';
import { appendAudit, type AuditStore } from './audit.js';
import { environmentOf, type AutomationConfig, type Inventory } from './config.js';
import { InventoryError } from './executor.js';
import { authorise, authoriseRoles } from './permissions.js';
import type { AutomationRequest, RequestStore, Requester } from './requests.js';
import { auditEntry } from './requests.js';
import { delayUntil, queueTask } from './task-queue.js';
import type { AutomationTask } from './tasks.js';

export interface AutomationDeps {
  requests: RequestStore;
  audit: AuditStore;
  queue: Queue<AutomationTask>;
  inventory: Inventory;
  automation: AutomationConfig;
  now: () => number;
  log: Logger;
}

export interface SubmitInput {
  /** Derived from what asked (a chat message, an alert and rule), so a redelivery is the same request. */
  requestId: string;
  action: string;
  args: unknown;
  requester: Requester;
  chatId?: string;
  messageId?: string;
  /** The incident it is for, when it was asked for in the incident's war room. */
  incidentId?: string;
}

export type SubmitResult = { ok: false; problem: string } | { ok: true; request: AutomationRequest; created: boolean };

/**
 * Takes a request from chat or from a self-healing rule through the gate: arguments against the action's schema,
 * the target against the inventory, the requester against RBAC. Denied requests are audited and answered with the
 * reason; those needing approval wait for a second person (and a timer that expires them); the rest are queued.
 * Each step is audited before it takes effect, so a crash can repeat an audit record but never lose one.
 */
export async function submitRequest(input: SubmitInput, deps: AutomationDeps): Promise<SubmitResult> {
  const valid = validateRequest(input.action, input.args);
  if (!valid.ok) return valid;
  let environment: string;
  try {
    environment = environmentOf(valid.action.name, valid.args, deps.inventory);
  } catch (error) {
    if (error instanceof InventoryError) return { ok: false, problem: error.userMessage };
    throw error;
  }
  const at = new Date(deps.now()).toISOString();
  const draft: AutomationRequest = {
    requestId: input.requestId,
    action: valid.action.name,
    args: valid.args,
    environment,
    target: valid.action.target(valid.args),
    requester: input.requester,
    requestedAt: at,
    status: 'queued',
    ...(input.chatId ? { chatId: input.chatId } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
  };
  const existing = await deps.requests.get(draft.requestId);
  if (existing) {
    // A redelivered message: redo what may not have happened before a crash (each step is idempotent downstream).
    if (existing.status === 'queued') await queueTask(deps, { kind: 'run', requestId: existing.requestId });
    if (existing.status === 'pending_approval')
      await queueTask(
        deps,
        { kind: 'expire', requestId: existing.requestId },
        delayUntil(existing.approval!.expiresAt, deps.now()),
      );
    return { ok: true, request: existing, created: false };
  }

  await appendAudit(deps.audit, auditEntry(draft, 'requested', at));
  const actorId = input.requester.kind === 'person' ? input.requester.actor.openId : undefined;
  const rule =
    input.requester.kind === 'rule'
      ? deps.automation.selfHealing.rules.find((entry) => entry.name === (input.requester as { rule: string }).rule)
      : undefined;
  const checked = actorId
    ? authorise(actorId, valid.action, environment, deps.automation)
    : authoriseRoles(rule?.roles ?? [], valid.action, environment, deps.automation);
  // A rule is reviewed config: its runs are authorised by its roles and do not wait for a person.
  const decision = checked.allowed && !actorId ? { ...checked, needsApproval: false } : checked;
  if (!decision.allowed) {
    await appendAudit(deps.audit, auditEntry(draft, 'denied', at, { outcome: 'denied', detail: decision.reason }));
    const { request, created } = await deps.requests.create({ ...draft, status: 'denied', summary: decision.reason });
    return { ok: true, request, created };
  }
  if (decision.needsApproval) {
    const approvers = deps.automation.approval.approvers.filter((approver) => approver !== actorId);
    if (!approvers.length) {
      const reason = '该操作需要审批，但没有配置申请人以外的审批人（automation.yaml → approval.approvers）';
      await appendAudit(deps.audit, auditEntry(draft, 'denied', at, { outcome: 'denied', detail: reason }));
      const { request, created } = await deps.requests.create({ ...draft, status: 'denied', summary: reason });
      return { ok: true, request, created };
    }
    const expiresAt = new Date(deps.now() + deps.automation.approval.expiresIn * 1000).toISOString();
    await appendAudit(
      deps.audit,
      auditEntry(draft, 'approval_requested', at, { detail: `审批人：${approvers.join(', ')}；截止 ${expiresAt}` }),
    );
    const { request, created } = await deps.requests.create({
      ...draft,
      status: 'pending_approval',
      approval: { expiresAt, approvers, cards: {} },
    });
    await queueTask(deps, { kind: 'expire', requestId: request.requestId }, delayUntil(expiresAt, deps.now()));
    return { ok: true, request, created };
  }
  const { request, created } = await deps.requests.create(draft);
  await queueTask(deps, { kind: 'run', requestId: request.requestId });
  return { ok: true, request, created };
}
