import * as z from 'zod';

/**
 * The Feishu event and callback payloads OpenClaw reads (schema 2.0). Objects are loose: Feishu adds fields over
 * time and an unknown field must never turn an event into a 400 that Feishu then retries for hours.
 */

export const encryptedBodySchema = z.object({ encrypt: z.string().min(1) });

export const urlVerificationSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
  token: z.string(),
});

export const eventEnvelopeSchema = z.object({
  schema: z.literal('2.0'),
  header: z.object({
    event_id: z.string().min(1).max(200),
    token: z.string(),
    /** Milliseconds since the epoch, as a string. */
    create_time: z.string().regex(/^\d{10,16}$/),
    event_type: z.string().min(1).max(200),
    tenant_key: z.string().optional(),
    app_id: z.string().optional(),
  }),
  event: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

const userId = z.object({
  open_id: z.string().optional(),
  union_id: z.string().optional(),
  user_id: z.string().optional(),
});

export const mentionSchema = z.object({ key: z.string(), id: userId.optional(), name: z.string().optional() });

export const messageReceivedSchema = z.object({
  sender: z.object({ sender_id: userId, sender_type: z.string().optional(), tenant_key: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1).max(200),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    thread_id: z.string().optional(),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    create_time: z.string().optional(),
    mentions: z.array(mentionSchema).optional(),
  }),
});
export type MessageReceived = z.infer<typeof messageReceivedSchema>;

export const botAddedSchema = z.object({ chat_id: z.string().min(1), name: z.string().optional() });

export const cardActionSchema = z.object({
  operator: z.object({ open_id: z.string().min(1), user_id: z.string().optional(), union_id: z.string().optional() }),
  /** The callback token: lets a card be updated later, for 30 minutes, twice. */
  token: z.string().optional(),
  action: z.object({
    value: z.unknown(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
  }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
});
export type CardAction = z.infer<typeof cardActionSchema>;

/** Event types the webhook queues for the chatops consumer; any other type is acknowledged and dropped. */
export const queuedEventTypes = ['im.message.receive_v1', 'im.chat.member.bot.added_v1'] as const;
export type QueuedEventType = (typeof queuedEventTypes)[number];

/** A card click answer: a toast and/or the card to show instead (JSON 2.0). */
export interface CardActionAnswer {
  toast?: { type: 'success' | 'info' | 'warning' | 'error'; content: string };
  card?: { type: 'raw'; data: object };
}
