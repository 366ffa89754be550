import * as z from 'zod';

/**
 * What the webhook hands the chatops consumer through the `commands` queue: a Feishu event to act on, or an incident
 * whose cards must be brought up to date after a button changed it (the clicked card is updated in the click's
 * answer; the incident's other cards need the Feishu API, which the webhook does not load).
 */
export const chatopsTaskSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('feishu_event'),
    eventId: z.string(),
    eventType: z.string(),
    createdAt: z.number(),
    event: z.record(z.string(), z.unknown()),
  }),
  /** `by` is who changed it: resolving by hand closes the incident's firing alerts in their name. */
  z.object({
    kind: z.literal('incident_changed'),
    incidentId: z.string(),
    reason: z.enum(['ack', 'resolve', 'silence']),
    by: z.string(),
  }),
  /** An incident resolved from its card: ask in the chat for the note that becomes a knowledge draft. */
  z.object({ kind: z.literal('ask_note'), incidentId: z.string(), by: z.string() }),
  /**
   * An action asked for from an incident card (诊断: diagnose_host on its host; 执行建议操作: its runbook's
   * suggestion), answered under the card (`messageId`).
   */
  z.object({
    kind: z.literal('card_request'),
    request: z.enum(['diagnose', 'run_suggested']),
    incidentId: z.string(),
    by: z.string(),
    eventId: z.string(),
    chatId: z.string().optional(),
    messageId: z.string().optional(),
  }),
  /** 保存到知识库 on an incident draft card: `messageId` is that card, updated once the article is saved. */
  z.object({
    kind: z.literal('save_knowledge'),
    incidentId: z.string(),
    by: z.string(),
    messageId: z.string().optional(),
  }),
]);
export type ChatopsTask = z.infer<typeof chatopsTaskSchema>;

/**
 * One chat's messages in order, so a reply never overtakes the answer to an earlier command; one incident's too.
 */
export function chatopsOrderKey(task: ChatopsTask): string {
  if (task.kind !== 'feishu_event') return `incident:${task.incidentId}`;
  return `chat:${String((task.event.message as { chat_id?: string } | undefined)?.chat_id ?? task.eventId)}`;
}
