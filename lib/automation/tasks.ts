import * as z from 'zod';

/**
 * Messages on the `automation` queue: run a request, expire an approval that nobody decided (sent with a delay, as
 * a timer), or bring a request's cards up to date after a decision made where Feishu's API is not loaded.
 */
export const automationTaskSchema = z.object({ kind: z.enum(['run', 'expire', 'report']), requestId: z.string().min(1) });
export type AutomationTask = z.infer<typeof automationTaskSchema>;
