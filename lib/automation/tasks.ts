import * as z from 'zod';

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

/** One request's tasks (or one alert's heal task) in order. */
export const automationOrderKey = (task: AutomationTask) =>
  'requestId' in task ? task.requestId : `heal:${task.alertId}`;
