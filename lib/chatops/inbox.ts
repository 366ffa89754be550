import type { EventEnvelope } from '../feishu/events.js';
import { messageReceivedSchema, queuedEventTypes } from '../feishu/events.js';
import { HttpError } from '../lambda/errors.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import type { ChatopsTask } from './tasks.js';

/**
 * Who has taken a delivery. `claim` is a conditional put: the first delivery of an event takes it with a short lease;
 * once the event is queued the record is `done` and later deliveries are dropped. A record whose holder failed (or
 * died) before queuing is released or its lease runs out, so it never blocks Feishu's retry.
 */
export interface DeliveryLedger {
  claim(key: string, now: number, leaseMs: number): Promise<'claimed' | 'done' | 'busy'>;
  complete(key: string, now: number): Promise<void>;
  release(key: string): Promise<void>;
}

/** Longer than the webhook can run, shorter than Feishu's first retry (15 s). */
export const DELIVERY_LEASE_MS = 10_000;

export type Acceptance = 'queued' | 'duplicate' | 'in_progress' | 'ignored';

export interface InboxDeps {
  ledger: DeliveryLedger;
  queue: Queue<ChatopsTask>;
  log: Logger;
  now: () => number;
}

/**
 * A received message is one delivery per `message_id` (Feishu may push the same message under a new event id);
 * any other event is one per `event_id`. The same event always carries the same message, so the message key also
 * covers the event's redeliveries.
 */
export function deliveryKey(envelope: EventEnvelope): string {
  if (envelope.header.event_type === 'im.message.receive_v1') {
    const parsed = messageReceivedSchema.safeParse(envelope.event);
    if (parsed.success) return `message#${parsed.data.message.message_id}`;
  }
  return `event#${envelope.header.event_id}`;
}

/**
 * Queues an event for the chatops consumer exactly once, before the webhook answers 200. If queuing fails the
 * claim is released and a 503 makes Feishu retry; a malformed event of a known type is dropped (a retry would not fix
 * it).
 */
export async function acceptEvent(envelope: EventEnvelope, deps: InboxDeps): Promise<Acceptance> {
  const { header } = envelope;
  if (!(queuedEventTypes as readonly string[]).includes(header.event_type)) {
    deps.log.info('event type not handled', { eventType: header.event_type, eventId: header.event_id });
    return 'ignored';
  }
  if (header.event_type === 'im.message.receive_v1' && !messageReceivedSchema.safeParse(envelope.event).success) {
    deps.log.warn('malformed message event dropped', { eventId: header.event_id });
    return 'ignored';
  }
  const key = deliveryKey(envelope);
  const claim = await deps.ledger.claim(key, deps.now(), DELIVERY_LEASE_MS);
  if (claim !== 'claimed') {
    deps.log.info('duplicate delivery', { key, eventId: header.event_id, state: claim });
    return claim === 'done' ? 'duplicate' : 'in_progress';
  }
  const task: ChatopsTask = {
    kind: 'feishu_event',
    eventId: header.event_id,
    eventType: header.event_type,
    createdAt: Number(header.create_time),
    event: envelope.event,
  };
  let sent = false;
  try {
    sent = (await deps.queue.sendAll([task])).failed.length === 0;
  } catch (error) {
    deps.log.error('event could not be queued', { key, error });
  }
  if (!sent) {
    await deps.ledger
      .release(key)
      .catch((error: unknown) => deps.log.error('delivery claim not released; its lease will run out', { key, error }));
    throw new HttpError(503, 'the event could not be queued; Feishu will retry');
  }
  await deps.ledger.complete(key, deps.now()).catch((error: unknown) =>
    // Queued but not marked: a redelivery after the lease could queue it again; the consumer is idempotent
    // (replies carry Feishu uuid keys, state changes are conditional).
    deps.log.warn('delivery queued but not marked done', { key, error }),
  );
  return 'queued';
}
