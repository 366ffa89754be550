import type { Queue } from '../store/queue/sqs.js';
import type { AuditEntry } from './audit.js';
import type { AutomationRequest } from './requests.js';
import type { AutomationTask } from './tasks.js';

/*
 * The small steps every part of automation shares (the webhook's approvals too, so nothing here may pull in the
 * config loader or the executors).
 */

/** The audit entry for a request, in one place so every record names the same things. */
export function auditEntry(
  request: AutomationRequest,
  kind: AuditEntry['kind'],
  at: string,
  extra: Partial<AuditEntry> = {},
): AuditEntry {
  return {
    requestId: request.requestId,
    kind,
    actor:
      request.requester.kind === 'rule' ? { rule: request.requester.rule } : { openId: request.requester.actor.openId },
    action: request.action,
    args: request.args,
    environment: request.environment,
    at,
    ...extra,
  };
}

/** SQS holds a message back at most 15 minutes; a longer approval window is reached in several hops. */
export const MAX_DELAY_SECONDS = 900;

/** Seconds from now until `at`, capped at SQS's longest delay (the expire step re-queues itself for the rest). */
export const delayUntil = (at: string, now: number) =>
  Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((Date.parse(at) - now) / 1000)));

export async function send(
  deps: { queue: Queue<AutomationTask> },
  task: AutomationTask,
  delaySeconds?: number,
): Promise<void> {
  const result = await deps.queue.sendAll([task], delaySeconds === undefined ? undefined : { delaySeconds });
  if (result.failed.length)
    throw new Error(
      `automation task ${task.kind} for ${'requestId' in task ? task.requestId : task.alertId} could not be queued`,
    );
}
