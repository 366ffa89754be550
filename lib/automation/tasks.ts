import * as z from 'zod';
import type { Queue } from '../lambda/queue.js';

/**
 * Messages on the `automation` queue: run a request, expire an approval that nobody decided (sent with a delay, as
 * a timer), bring a request's cards up to date after a decision made where Feishu's API is not loaded, start a
 * self-healing rule for an alert (from the router), or check that a self-healing run fixed it (sent with a delay).
 */
export const automationTaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['run', 'expire', 'report', 'verify']), requestId: z.string().min(1) }),
  z.object({ kind: z.literal('heal'), alertId: z.string().min(1), rule: z.string().min(1) }),
]);
export type AutomationTask = z.infer<typeof automationTaskSchema>;
export type RequestTask = Extract<AutomationTask, { requestId: string }>;

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
