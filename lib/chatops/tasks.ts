import * as z from 'zod';

/**
 * What the webhook hands the chatops consumer through the `commands` queue: a Feishu event to act on, or an alert
 * whose cards must be brought up to date after a button changed it (the clicked card is updated in the click's
 * answer; the alert's other cards need the Feishu API, which the webhook does not load).
 */
export const chatopsTaskSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('feishu_event'),
    eventId: z.string(),
    eventType: z.string(),
    createdAt: z.number(),
    event: z.record(z.string(), z.unknown()),
  }),
  z.object({ kind: z.literal('alert_changed'), alertId: z.string(), reason: z.string() }),
  /** An alert resolved from its card: ask in the chat for the note that becomes a knowledge draft. */
  z.object({ kind: z.literal('ask_note'), alertId: z.string(), by: z.string() }),
  /** 保存到知识库 on an incident draft card: `messageId` is that card, updated once the article is saved. */
  z.object({
    kind: z.literal('save_knowledge'),
    alertId: z.string(),
    by: z.string(),
    messageId: z.string().optional(),
  }),
]);
export type ChatopsTask = z.infer<typeof chatopsTaskSchema>;

/**
 * One chat's messages in order, so a reply never overtakes the answer to an earlier command; one alert's updates too.
 */
export function chatopsOrderKey(task: ChatopsTask): string {
  if (task.kind !== 'feishu_event') return `alert:${task.alertId}`;
  return `chat:${String((task.event.message as { chat_id?: string } | undefined)?.chat_id ?? task.eventId)}`;
}
