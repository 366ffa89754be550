import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_BOT_OPEN_ID } from '../../infra/local/feishu-standin.js';
import { LOCAL_ENCRYPT_KEY, LOCAL_VERIFICATION_TOKEN, LocalRuntime } from '../../infra/local/runtime.js';
import { MAX_EVENT_AGE_MS } from '../../lib/feishu/webhook.js';
import { delivery, envelope, textMessage, type FeishuApp } from '../../infra/local/feishu-events.js';

/**
 * The webhook through the local runtime's HTTP API, with the real delivery ledger (dynalite) and commands queue
 * (fauxqs). No consumer runs here, so the queue's depth says exactly what the webhook queued.
 */
const app: FeishuApp = { verificationToken: LOCAL_VERIFICATION_TOKEN, encryptKey: LOCAL_ENCRYPT_KEY };
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await new LocalRuntime({ quiet: true, pollers: 0 }).start();
});
afterAll(async () => {
  await runtime?.stop();
});

async function post(d: { body: string; headers: Record<string, string> }) {
  const started = performance.now();
  const response = await fetch(`${runtime.url}/feishu/events`, { method: 'POST', headers: d.headers, body: d.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as Record<string, any>, ms: performance.now() - started };
}

const queued = async () => {
  const depth = await runtime.queueDepth('CommandsQueue');
  return depth.visible + depth.inFlight;
};
const message = (
  text: string,
  header: { eventId?: string; createTime?: number; token?: string } = {},
  messageId?: string,
) => envelope(app, 'im.message.receive_v1', textMessage({ text, botOpenId: LOCAL_BOT_OPEN_ID, messageId }), header);

describe('POST /feishu/events', () => {
  it('answers the encrypted URL check with the challenge, well within 1 s', async () => {
    const answer = await post(
      delivery(
        app,
        { type: 'url_verification', challenge: 'challenge-42', token: app.verificationToken },
        { sign: false },
      ),
    );
    expect(answer).toMatchObject({ status: 200, body: { challenge: 'challenge-42' } });
    expect(answer.ms).toBeLessThan(1000);
  });

  it('queues a signed message once, however often it is delivered, under its event id or a new one', async () => {
    const before = await queued();
    const event = message('/status');
    const first = await post(delivery(app, event));
    expect(first).toMatchObject({ status: 200, body: { accepted: 'queued' } });
    expect(await post(delivery(app, event))).toMatchObject({ status: 200, body: { accepted: 'duplicate' } });
    const sameMessage = { ...event, header: { ...event.header, event_id: 'another-event-id' } };
    expect(await post(delivery(app, sameMessage))).toMatchObject({ status: 200, body: { accepted: 'duplicate' } });
    expect(await queued()).toBe(before + 1);
  });

  it('refuses forgeries with 401 and queues nothing: bad signature, no signature, wrong token, replayed old event', async () => {
    const before = await queued();
    const signed = delivery(app, message('/alert ack 000000000000'));
    const forged = { ...signed, headers: { ...signed.headers, 'x-lark-signature': 'f'.repeat(64) } };
    const unsigned = delivery(app, message('/status'), { sign: false });
    const wrongToken = delivery(app, message('/status', { token: 'not-the-token' }));
    const stale = delivery(app, message('/status', { createTime: Date.now() - MAX_EVENT_AGE_MS - 60_000 }));
    const wrongKey = delivery({ ...app, encryptKey: 'someone-elses-key' }, message('/status'));
    const plainText = delivery({ verificationToken: app.verificationToken }, message('/status'));
    for (const attempt of [forged, unsigned, wrongToken, stale, wrongKey, plainText]) {
      const answer = await post(attempt);
      expect(answer.status).toBe(401);
      expect(typeof answer.body.error).toBe('string');
    }
    expect(await queued()).toBe(before);
  });

  it('answers 400 for malformed JSON and non-events, 413 for an oversized body, and queues nothing', async () => {
    const before = await queued();
    expect((await post({ body: '{"encrypt":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await post(delivery(app, { schema: '2.0', header: { event_type: 'x' } }))).status).toBe(400);
    expect((await post(delivery(app, message('/kb ' + '很长的问题'.repeat(40_000))))).status).toBe(413);
    expect(await queued()).toBe(before);
  });

  it('acknowledges an event type it does not handle with 200 and queues nothing', async () => {
    const before = await queued();
    const answer = await post(delivery(app, envelope(app, 'contact.user.updated_v3', { object: { open_id: 'ou_x' } })));
    expect(answer).toMatchObject({ status: 200, body: { accepted: 'ignored' } });
    expect(await queued()).toBe(before);
  });

  it('answers 503 when the queue is unavailable, and the retry goes through once it is back', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: process.env.AWS_ENDPOINT_URL_SQS,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const queueUrl = runtime.queueUrls.get('CommandsQueue')!;
    const attributes =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const event = message('/oncall');
    try {
      const failed = await post(delivery(app, event));
      expect(failed.status).toBe(503);
      expect(failed.body.error).toMatch(/could not be queued/);
    } finally {
      const { RedrivePolicy, VisibilityTimeout, MessageRetentionPeriod } = attributes;
      await sqs.send(
        new CreateQueueCommand({
          QueueName: queueUrl.split('/').pop()!,
          Attributes: {
            RedrivePolicy: RedrivePolicy!,
            VisibilityTimeout: VisibilityTimeout!,
            MessageRetentionPeriod: MessageRetentionPeriod!,
          },
        }),
      );
    }
    // Feishu's retry: the claim of the failed delivery was released, so it is queued now.
    expect(await post(delivery(app, event))).toMatchObject({ status: 200, body: { accepted: 'queued' } });
    expect(await queued()).toBeGreaterThanOrEqual(1);
  });
});
