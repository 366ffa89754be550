import https from 'node:https';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingest, type IngestDeps } from '../../lib/alerts/ingest.js';
import type { Alert } from '../../lib/alerts/model.js';
import { HttpError } from '../../lib/lambda/errors.js';
import { createLogger } from '../../lib/lambda/logger.js';
import { snsGateway } from '../../lib/alerts/sources/sns.js';
import { SNS_HOST, SnsStandin } from '../support/sns-standin.js';

const topic = 'arn:aws:sns:us-east-1:123456789012:alarms';
let sns: SnsStandin;
let queued: Alert[];
let deps: IngestDeps;

beforeAll(async () => {
  sns = await new SnsStandin().start();
});
afterAll(async () => {
  await sns?.stop();
});
beforeEach(() => {
  queued = [];
  deps = {
    tokens: async () => ['t0ken'],
    queue: {
      sendAll: async (alerts) => (queued.push(...alerts), { failed: [], requests: Math.ceil(alerts.length / 10) }),
    },
    sns: snsGateway(sns.agent),
    allowedTopics: [topic],
    log: createLogger(),
  };
});

const alarm = (state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' = 'ALARM') =>
  JSON.stringify({
    AlarmName: 'api-5xx-rate',
    AlarmDescription: 'severity=critical service=api 5xx 比例过高',
    AWSAccountId: '123456789012',
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 1 datapoint [12.5] was greater than the threshold (5.0).',
    StateChangeTime: '2026-11-23T03:00:00.000+0000',
    Region: 'US East (N. Virginia)',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx-rate',
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    Trigger: {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'AVERAGE',
      Dimensions: [{ name: 'ApiName', value: 'api' }],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    },
  });

const deliver = (body: object, headers: Record<string, string> = {}) =>
  ingest(
    'cloudwatch',
    {
      headers: { 'x-amz-sns-message-type': String((body as { Type?: string }).Type ?? 'Notification'), ...headers },
      rawBody: Buffer.from(JSON.stringify(body)),
    },
    deps,
  );

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('CloudWatch alarms over SNS, verified with sns-payload-validator', () => {
  it.each(['1', '2'] as const)(
    'queues a signed (SignatureVersion %s) ALARM as one firing alert keyed by the SNS MessageId',
    async (version) => {
      const envelope = sns.sign(
        { Type: 'Notification', TopicArn: topic, Subject: 'ALARM: "api-5xx-rate" in US East', Message: alarm() },
        version,
      );
      const result = await deliver(envelope);
      expect(result).toEqual({ statusCode: 202, body: { queued: 1 } });
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({
        eventId: `sns:${envelope.MessageId}`,
        source: 'cloudwatch',
        status: 'firing',
        severity: 'critical',
        service: 'api',
        labels: { region: 'us-east-1' },
      });
    },
  );

  it('queues OK as a resolution of the same fingerprint', async () => {
    await deliver(sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm('ALARM') }));
    await deliver(sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm('OK') }));
    expect(queued.map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(queued[0]!.fingerprint).toBe(queued[1]!.fingerprint);
  });

  it('rejects a message altered after signing with 401 and queues nothing', async () => {
    const envelope = sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm() });
    const error = await rejection(deliver({ ...envelope, Message: alarm('OK') }));
    expect(error.statusCode).toBe(401);
    expect(queued).toEqual([]);
  });

  it('rejects a wrong signature and a certificate from a host that is not SNS', async () => {
    const envelope = sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm() });
    const other = sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm('OK') });
    expect((await rejection(deliver({ ...envelope, Signature: other.Signature }))).statusCode).toBe(401);
    const foreignCert = await rejection(
      deliver({ ...envelope, SigningCertURL: `https://sns.evil.example.com${sns.certPath}` }),
    );
    expect(foreignCert.statusCode).toBe(401);
    expect(foreignCert.message).toMatch(/SigningCertURL/);
    expect(queued).toEqual([]);
  });

  it('refuses a topic that is not allowed with 403, before any confirmation', async () => {
    const envelope = sns.sign({
      Type: 'SubscriptionConfirmation',
      TopicArn: 'arn:aws:sns:us-east-1:999999999999:other',
      Message: 'You have chosen to subscribe…',
    });
    expect((await rejection(deliver(envelope))).statusCode).toBe(403);
    expect(sns.confirmations).toEqual([]);
  });

  it('confirms a signed subscription exactly once, and never a forged one', async () => {
    const before = sns.confirmations.length;
    const forged = sns.sign({
      Type: 'SubscriptionConfirmation',
      TopicArn: topic,
      Message: 'You have chosen to subscribe…',
    });
    expect((await rejection(deliver({ ...forged, Token: 'attacker-token' }))).statusCode).toBe(401);
    expect(sns.confirmations.length).toBe(before);

    const genuine = sns.sign({
      Type: 'SubscriptionConfirmation',
      TopicArn: topic,
      Message: 'You have chosen to subscribe…',
    });
    expect(await deliver(genuine)).toEqual({ statusCode: 200, body: { confirmed: topic } });
    expect(sns.confirmations.slice(before)).toEqual([genuine.SubscribeURL]);
  });

  it('will not follow a signed SubscribeURL that points anywhere but SNS', async () => {
    const before = sns.confirmations.length;
    const envelope = sns.sign({
      Type: 'SubscriptionConfirmation',
      TopicArn: topic,
      Message: 'subscribe',
      SubscribeURL: 'https://internal.example.com/admin?Action=ConfirmSubscription',
    });
    expect((await rejection(deliver(envelope))).statusCode).toBe(502);
    expect(sns.confirmations.length).toBe(before);
    expect(envelope.SubscribeURL).not.toContain(SNS_HOST);
  });

  it('answers 503 (which SNS retries) when the signing certificate cannot be fetched, and queues nothing', async () => {
    const unreachable = new https.Agent();
    unreachable.createConnection = () => connect(9, '127.0.0.1') as never;
    deps.sns = snsGateway(unreachable);
    const envelope = sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm() });
    expect(
      (
        await rejection(
          deliver({ ...envelope, SigningCertURL: envelope.SigningCertURL!.replace(/[0-9a-f]{32}/, 'f'.repeat(32)) }),
        )
      ).statusCode,
    ).toBe(503);
    expect(queued).toEqual([]);
  });

  it('accepts INSUFFICIENT_DATA without queueing an alert', async () => {
    const result = await deliver(
      sns.sign({ Type: 'Notification', TopicArn: topic, Message: alarm('INSUFFICIENT_DATA') }),
    );
    expect(result.statusCode).toBe(202);
    expect(queued).toEqual([]);
  });
});

describe('CloudWatch alarms over EventBridge', () => {
  const event = {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-11-23T03:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx-rate'],
    detail: {
      alarmName: 'api-5xx-rate',
      state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-23T03:00:00.000+0000' },
      previousState: { value: 'OK' },
      configuration: { description: 'severity=warning', metrics: [] },
    },
  };
  const post = (headers: Record<string, string>) =>
    ingest('cloudwatch', { headers, rawBody: Buffer.from(JSON.stringify(event)) }, deps);

  it('checks the token before it reads the body: no token and broken JSON is 401, not 400', async () => {
    const error = await rejection(ingest('cloudwatch', { headers: {}, rawBody: Buffer.from('{"broken') }, deps));
    expect(error.statusCode).toBe(401);
  });

  it('needs the bearer token', async () => {
    expect((await rejection(post({}))).statusCode).toBe(401);
    expect((await rejection(post({ authorization: 'Bearer wrong' }))).statusCode).toBe(401);
    expect(queued).toEqual([]);
  });

  it('queues the alarm with the token', async () => {
    expect(await post({ authorization: 'Bearer t0ken' })).toEqual({ statusCode: 202, body: { queued: 1 } });
    expect(queued[0]).toMatchObject({ eventId: `eventbridge:${event.id}`, status: 'firing', severity: 'warning' });
  });
});
