import type { Queue } from '../lambda/queue.js';
import type { AutomationTask } from './tasks.js';

/*
 * Putting tasks on the automation queue, now or later (an SQS delay is the timer of approvals and verifications).
 * Apart from the task schema, so the webhook, which decides approvals, does not bundle it.
 */

/** SQS holds a message back at most 15 minutes; a longer approval window is reached in several hops. */
export const MAX_DELAY_SECONDS = 900;

/** Seconds from now until `at`, capped at SQS's longest delay (the expire step re-queues itself for the rest). */
export const delayUntil = (at: string, now: number) =>
  Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil((Date.parse(at) - now) / 1000)));

/** Queues one task, `delaySeconds` later when given (a timer); throws when it cannot be queued. */
export async function queueTask(
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
