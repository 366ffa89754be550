import type { Actor } from '../alerts/repository.js';
import { formatTime } from '../feishu/cards.js';
import { appendAudit } from './audit.js';
import type { AutomationRequest } from './requests.js';
import { auditEntry } from './requests.js';
import { delayUntil, queueTask } from './task-queue.js';
import type { AutomationDeps } from './submit.js';

export interface Decision {
  changed: boolean;
  /** One line for the approver (a toast). */
  message: string;
  request?: AutomationRequest;
}

type DecisionDeps = Pick<AutomationDeps, 'requests' | 'audit' | 'queue' | 'now' | 'log'> & { timeZone: string };

/** Ends an approval whose time is up: audited, reported, never run. */
async function expire(request: AutomationRequest, deps: DecisionDeps): Promise<AutomationRequest | undefined> {
  const at = new Date(deps.now()).toISOString();
  await appendAudit(deps.audit, auditEntry(request, 'expired', at, { outcome: 'expired' }));
  const expired = await deps.requests.transition(request.requestId, 'pending_approval', 'expired', {
    finishedAt: at,
    summary: `审批已过期：${formatTime(request.approval!.expiresAt, deps.timeZone)} 前无人审批，未执行`,
  });
  if (expired) await queueTask(deps, { kind: 'report', requestId: request.requestId });
  return expired;
}

/**
 * An approver's 批准 or 拒绝. Only a listed approver other than the requester may decide, only while the request
 * waits and its time has not run out; two approvers deciding at once get one decision (a conditional transition).
 */
export async function decideApproval(
  requestId: string,
  approver: Actor,
  approve: boolean,
  deps: DecisionDeps,
): Promise<Decision> {
  const request = await deps.requests.get(requestId);
  if (!request || !request.approval) return { changed: false, message: `找不到审批请求 ${requestId}` };
  if (request.status !== 'pending_approval') {
    const decided = request.approval.decidedBy;
    const what = {
      queued: '已批准',
      running: '已批准',
      succeeded: '已批准',
      failed: '已批准',
      rejected: '已拒绝',
      expired: '已过期',
      denied: '已拒绝',
      pending_approval: '',
    }[request.status];
    return {
      changed: false,
      request,
      message: `该请求${what}${decided ? `（${decided.name ?? decided.openId}）` : ''}，无需再审批`,
    };
  }
  if (request.requester.kind === 'person' && request.requester.actor.openId === approver.openId)
    return { changed: false, request, message: '不能审批自己提交的请求，请让其他审批人处理' };
  if (!request.approval.approvers.includes(approver.openId))
    return { changed: false, request, message: '你不是该请求的审批人' };
  if (deps.now() >= Date.parse(request.approval.expiresAt)) {
    const expired = await expire(request, deps);
    return { changed: false, request: expired ?? request, message: '审批已过期，请求未执行；如仍需要请重新提交' };
  }
  const at = new Date(deps.now()).toISOString();
  // The decider is the actor of this record; the requester is on every other record of the request.
  await appendAudit(
    deps.audit,
    auditEntry(request, approve ? 'approved' : 'rejected', at, {
      actor: { openId: approver.openId },
      detail: `申请人：${request.requester.kind === 'person' ? request.requester.actor.openId : request.requester.rule}`,
    }),
  );
  const approval = { ...request.approval, decidedBy: approver, decidedAt: at };
  const decided = await deps.requests.transition(requestId, 'pending_approval', approve ? 'queued' : 'rejected', {
    approval,
    ...(approve ? {} : { finishedAt: at, summary: `已被拒绝，未执行` }),
  });
  if (!decided) {
    const now = await deps.requests.get(requestId);
    return { changed: false, request: now, message: '其他审批人刚刚处理了该请求' };
  }
  await queueTask(deps, { kind: approve ? 'run' : 'report', requestId });
  return { changed: true, request: decided, message: approve ? '已批准，开始执行' : '已拒绝，请求不会执行' };
}

/** The approval timer: expires a request still waiting at its deadline, or waits again when the deadline is further. */
export async function expireIfDue(requestId: string, deps: DecisionDeps): Promise<void> {
  const request = await deps.requests.get(requestId);
  if (!request || request.status !== 'pending_approval' || !request.approval) return;
  if (deps.now() < Date.parse(request.approval.expiresAt)) {
    await queueTask(deps, { kind: 'expire', requestId }, delayUntil(request.approval.expiresAt, deps.now()));
    return;
  }
  await expire(request, deps);
}
