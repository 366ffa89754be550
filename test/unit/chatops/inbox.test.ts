import { beforeEach, describe, expect, it } from 'vitest';
import { acceptEvent, DELIVERY_LEASE_MS, type InboxDeps } from '../../../lib/chatops/inbox.js';
import type { ChatopsTask } from '../../../lib/chatops/tasks.js';
import type { EventEnvelope } from '../../../lib/feishu/events.js';
import { HttpError } from '../../../lib/lambda/errors.js';
import { envelope, textMessage } from '../../../infra/local/feishu-events.js';
import { MemoryDeliveryLedger } from '../fakes/delivery-ledger.js';
import { recordingLogger } from '../fakes/logger.js';

const app = { verificationToken: 't' };
let queued: ChatopsTask[];
let queueFails: number;
let ledger: MemoryDeliveryLedger;
let clock: number;
let deps: InboxDeps;

beforeEach(() => {
  queued = [];
  queueFails = 0;
  ledger = new MemoryDeliveryLedger();
  clock = Date.now();
  deps = {
    ledger,
    log: recordingLogger(),
    now: () => clock,
    queue: {
      async sendAll(tasks) {
        if (queueFails > 0) {
          queueFails--;
          return { failed: tasks.map((_, i) => i), requests: 1 };
        }
        queued.push(...tasks);
        return { failed: [], requests: 1 };
      },
    },
  };
});

const messageEvent = (messageId: string, eventId?: string) =>
  envelope(app, 'im.message.receive_v1', textMessage({ text: '/status', botOpenId: 'ou_bot', messageId }), {
    eventId,
  }) as EventEnvelope;

describe('accepting Feishu events', () => {
  it('queues an event once however often Feishu delivers it', async () => {
    const event = messageEvent('om_a');
    expect(await acceptEvent(event, deps)).toBe('queued');
    expect(await acceptEvent(event, deps)).toBe('duplicate');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({
      kind: 'feishu_event',
      eventId: event.header.event_id,
      eventType: 'im.message.receive_v1',
    });
  });

  it('treats the same message under a new event id as a duplicate', async () => {
    await acceptEvent(messageEvent('om_b', 'ev-1'), deps);
    expect(await acceptEvent(messageEvent('om_b', 'ev-2'), deps)).toBe('duplicate');
    expect(queued).toHaveLength(1);
  });

  it('answers 503 when queuing fails, and the retry is queued: the claim does not block it', async () => {
    const event = messageEvent('om_c');
    queueFails = 1;
    const failure = await acceptEvent(event, deps).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpError);
    expect((failure as HttpError).statusCode).toBe(503);
    expect(await acceptEvent(event, deps)).toBe('queued');
    expect(queued).toHaveLength(1);
  });

  it('lets a retry through once the lease of a holder that died has run out', async () => {
    const event = messageEvent('om_d');
    await ledger.claim('message#om_d', clock, DELIVERY_LEASE_MS); // a webhook that crashed before queuing
    expect(await acceptEvent(event, deps)).toBe('in_progress');
    clock += DELIVERY_LEASE_MS + 1;
    expect(await acceptEvent(event, deps)).toBe('queued');
  });

  it('acknowledges and drops event types it does not handle, and malformed messages', async () => {
    expect(await acceptEvent(envelope(app, 'contact.user.created_v3', { user: {} }) as EventEnvelope, deps)).toBe(
      'ignored',
    );
    expect(await acceptEvent(envelope(app, 'im.message.receive_v1', { message: 'nope' }) as EventEnvelope, deps)).toBe(
      'ignored',
    );
    expect(queued).toHaveLength(0);
    expect(ledger.records.size).toBe(0);
  });
});
