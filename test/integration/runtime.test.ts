import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { waitFor } from '../support/wait.js';

const token = 'integration-token';
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await new LocalRuntime({ quiet: true, alertToken: token, visibilityTimeoutSeconds: 1 }).start();
});
afterAll(async () => {
  await runtime?.stop();
});

const post = (
  path: string,
  body: string | object,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
) =>
  fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const sends = (receiveId: string) =>
  runtime.outbox.filter(
    (e) =>
      e.method === 'POST' &&
      e.path.startsWith('/open-apis/im/v1/messages?') &&
      (e.body as { receive_id?: string }).receive_id === receiveId,
  );

const generic = (name: string, extra: object = {}) => ({
  name,
  severity: 'warning',
  service: 'inventory',
  host: 'inv-1',
  summary: `${name} 测试`,
  ...extra,
});

describe('HTTP ingest through the local runtime', () => {
  it('rejects a missing or wrong token with 401 and queues nothing', async () => {
    const missing = await post('/alerts/generic', generic('NoToken'), {});
    const wrong = await post('/alerts/generic', generic('WrongToken'), { authorization: 'Bearer nope' });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(await missing.json()).toEqual({ error: 'missing credentials: send Authorization: Bearer <token>' });
  });

  it('accepts basic auth whose password is the token (Alertmanager basic_auth)', async () => {
    const response = await post('/alerts/generic', generic('BasicAuth', { severity: 'info' }), {
      authorization: `Basic ${Buffer.from(`alertmanager:${token}`).toString('base64')}`,
    });
    expect(response.status).toBe(202);
  });

  it('answers malformed JSON and invalid payloads with 400 naming the fields', async () => {
    const notJson = await post('/alerts/alertmanager', '{"version":');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const invalid = await post('/alerts/generic', {
      alerts: [
        { name: 'X', service: 'api', summary: 'ok' },
        { name: 'Y', severity: 'huge', service: 'api' },
      ],
    });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { details: { path: string }[] };
    expect(body.details.map((d) => d.path).sort()).toEqual(['alerts[1].severity', 'alerts[1].summary']);
  });

  it('answers a body over 1 MB with 413, never 5xx', async () => {
    const response = await post('/alerts/generic', generic('Huge', { description: 'x'.repeat(1024 * 1024) }));
    expect(response.status).toBe(413);
  });

  it('answers 202 with the number of alerts queued', async () => {
    const response = await post('/alerts/generic', {
      alerts: [generic('CountA', { severity: 'info' }), generic('CountB', { severity: 'info' })],
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ queued: 2 });
  });
});

describe('SQS event source emulation', () => {
  it('redelivers a failed record after the visibility timeout; the card is still sent once', async () => {
    // The first send to this chat fails like a Feishu rate limit; the router reports the record failed.
    runtime.feishu.failures.push({
      match: /^POST \/open-apis\/im\/v1\/messages$/,
      code: 99991400,
      msg: 'request trigger frequency limit',
      times: 1,
    });
    const response = await post('/alerts/generic', generic('Retried', { service: 'checkout', severity: 'warning' }));
    expect(response.status).toBe(202);
    const delivered = await waitFor(
      () => {
        const cards = sends('oc_payments_oncall').filter((e) =>
          (e.body as { content: string }).content.includes('Retried'),
        );
        return cards.length >= 2 && cards;
      },
      'the retried card',
      { describe: () => runtime.outbox.map((e) => `${e.method} ${e.path}`) },
    );
    expect(delivered).toHaveLength(2); // one refused attempt, one accepted send: the same uuid both times
    expect(new Set(delivered.map((e) => (e.body as { uuid: string }).uuid)).size).toBe(1);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: runtime.env.AWS_ENDPOINT_URL_SQS,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      useQueueUrlAsEndpoint: false,
    });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: runtime.queueUrls.get('AlertsQueue'),
        Entries: [{ Id: 'bad', MessageBody: '{"not":"an alert"}' }],
      }),
    );
    await waitFor(
      async () => (await runtime.queueDepth('AlertsDeadLetterQueue')).visible === 1,
      'the malformed message in the alerts DLQ',
      { timeoutMs: 25_000 },
    );
    // The very message, untouched, is in the dead-letter queue, and nothing of it is left in the source queue.
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: runtime.queueUrls.get('AlertsDeadLetterQueue'), WaitTimeSeconds: 1 }),
    );
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['{"not":"an alert"}']);
    expect(await runtime.queueDepth('AlertsQueue')).toEqual({ visible: 0, inFlight: 0 });
  });
});
