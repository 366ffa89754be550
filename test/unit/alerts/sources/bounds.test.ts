import { describe, expect, it } from 'vitest';
import { forwardedAlertSchema, type ForwardedAlert } from '../../../../lib/alerts/dedup.js';
import { ingest, type IngestDeps } from '../../../../lib/alerts/ingest.js';
import { alertLimits, type Alert } from '../../../../lib/alerts/model.js';
import type { StoredAlert } from '../../../../lib/alerts/repository.js';
import { MAX_ALERTS_PER_DELIVERY } from '../../../../lib/alerts/sources/parse.js';
import { HttpError } from '../../../../lib/lambda/errors.js';
import { createLogger } from '../../../../lib/lambda/logger.js';
import { stateChange } from '../../fakes/cloudwatch.js';
import { RecordingQueue } from '../../fakes/queue.js';

/*
 * Every stored field is bounded at ingest, for every source: over its bound, the delivery is a 400 that names the
 * field and nothing is queued; at its bound, it is accepted, and what is accepted fits the queue messages and the
 * DynamoDB items the pipeline makes of it.
 */

const token = 't0ken';
const SQS_MESSAGE_BYTES = 256 * 1024;
const DYNAMODB_ITEM_BYTES = 400 * 1024;
/** UTF-8 takes 3 bytes for each of these: the most any character (a UTF-16 unit) costs once stored. */
const wide = (length: number) => '长'.repeat(length);

function deliver(source: string, body: unknown, headers: Record<string, string> = {}) {
  const queue = new RecordingQueue<Alert>();
  const deps: IngestDeps = {
    tokens: async () => [token],
    queue,
    sns: {
      verify: () => Promise.reject(new Error('not reached: the envelope is refused first')),
      confirmSubscription: () => Promise.reject(new Error('not reached')),
    },
    allowedTopics: ['arn:aws:sns:us-east-1:123456789012:alarms'],
    log: createLogger(),
  };
  const request = {
    headers: { authorization: `Bearer ${token}`, ...headers },
    rawBody: Buffer.from(JSON.stringify(body)),
  };
  return {
    queued: () => queue.sent.map(({ message }) => message),
    answer: ingest(source, request, deps),
  };
}

async function refusal(source: string, body: unknown, headers?: Record<string, string>): Promise<HttpError> {
  const delivery = deliver(source, body, headers);
  const error = await delivery.answer.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect(delivery.queued()).toEqual([]);
  return error as HttpError;
}

async function accepted(source: string, body: unknown): Promise<Alert[]> {
  const delivery = deliver(source, body);
  expect((await delivery.answer).statusCode).toBe(202);
  return delivery.queued();
}

const amAlert = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
  status: 'firing',
  labels: { alertname: 'DiskFull', instance: 'db-1:9100', ...labels },
  annotations: { summary: '磁盘将满', ...annotations },
  startsAt: '2026-03-02T02:50:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: '0f1e2d3c4b5a6978',
});
const alertmanager = (alerts: object[], groupKey = '{}:{alertname="DiskFull"}') => ({
  version: '4',
  groupKey,
  status: 'firing',
  receiver: 'openclaw',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

/** The EventBridge alarm event, with an id, an alarm name or a metric's dimensions of our choosing. */
function eventBridge(change: { id?: string; alarmName?: string; dimensions?: Record<string, string> } = {}) {
  const event = stateChange({ id: change.id });
  if (change.alarmName) event.detail.alarmName = change.alarmName;
  if (change.dimensions) event.detail.configuration.metrics[0]!.metricStat.metric.dimensions = change.dimensions;
  return event;
}

const generic = (fields: Record<string, unknown> = {}) => ({
  name: 'BackupFailed',
  service: 'mysql',
  summary: '备份失败',
  ...fields,
});

describe('field bounds at ingest', () => {
  it('refuses an EventBridge event whose id is 450,000 characters with a 400 naming id', async () => {
    const error = await refusal('cloudwatch', eventBridge({ id: 'x'.repeat(450_000) }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe('invalid EventBridge CloudWatch Alarm State Change payload: id: at most 256 characters');
  });

  it('refuses an SNS delivery whose MessageId is over its bound before looking at the signature', async () => {
    const envelope = {
      Type: 'Notification',
      MessageId: 'm'.repeat(alertLimits.id + 1),
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
      Message: '{}',
      Timestamp: '2026-03-02T02:56:07.989Z',
      SignatureVersion: '1',
      Signature: 'c2ln',
      SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem',
    };
    const error = await refusal('cloudwatch', envelope, { 'x-amz-sns-message-type': 'Notification' });
    expect(error.statusCode).toBe(400);
    expect(error.details).toEqual([{ path: 'MessageId', message: 'at most 256 characters' }]);
  });

  it('names the alert and the label of an Alertmanager alert whose label value is over its bound', async () => {
    const alerts = [amAlert(), amAlert(), amAlert(), amAlert({ instance: 'i'.repeat(alertLimits.value + 1) })];
    const error = await refusal('alertmanager', alertmanager(alerts));
    expect(error.message).toBe(
      'invalid Alertmanager webhook payload: alerts[3].labels.instance: at most 2,048 characters',
    );
  });

  it('bounds label names, the number of labels and annotations, and alertname as a name', async () => {
    const long = 'k'.repeat(alertLimits.key + 1);
    const many = Object.fromEntries(Array.from({ length: alertLimits.entries }, (_, i) => [`l${i}`, 'v']));
    const details = async (alert: object) =>
      (await refusal('alertmanager', alertmanager([alert]))).details as { path: string; message: string }[];
    expect(await details(amAlert({ [long]: 'v' }))).toEqual([
      { path: `alerts[0].labels.${'k'.repeat(64)}…`, message: 'name at most 256 characters' },
    ]);
    expect(await details(amAlert(many))).toEqual([{ path: 'alerts[0].labels', message: 'at most 64 entries' }]);
    expect(await details(amAlert({}, many))).toEqual([
      { path: 'alerts[0].annotations', message: 'at most 64 entries' },
    ]);
    expect(await details(amAlert({ alertname: 'A'.repeat(alertLimits.name + 1) }))).toEqual([
      { path: 'alerts[0].labels.alertname', message: 'at most 256 characters' },
    ]);
  });

  it('bounds the groupKey, generatorURL and annotations of Alertmanager', async () => {
    const paths = async (body: object) =>
      ((await refusal('alertmanager', body)).details as { path: string }[]).map((detail) => detail.path);
    expect(await paths(alertmanager([amAlert()], 'g'.repeat(alertLimits.url + 1)))).toEqual(['groupKey']);
    expect(
      await paths(alertmanager([{ ...amAlert(), generatorURL: `http://p/${'x'.repeat(alertLimits.url)}` }])),
    ).toEqual(['alerts[0].generatorURL']);
    expect(await paths(alertmanager([amAlert({}, { description: wide(alertLimits.text + 1) })]))).toEqual([
      'alerts[0].annotations.description',
    ]);
  });

  it('bounds every stored field of a generic alert, naming it', async () => {
    const over: [string, unknown][] = [
      ['name', 'n'.repeat(alertLimits.name + 1)],
      ['service', 's'.repeat(alertLimits.value + 1)],
      ['host', 'h'.repeat(alertLimits.value + 1)],
      ['summary', wide(alertLimits.summary + 1)],
      ['description', wide(alertLimits.text + 1)],
      ['url', `https://grafana.example.com/${'x'.repeat(alertLimits.url)}`],
      ['runbookURL', `https://wiki.example.com/${'x'.repeat(alertLimits.url)}`],
      ['group', 'g'.repeat(alertLimits.url + 1)],
    ];
    for (const [field, value] of over) {
      const error = await refusal('generic', { alerts: [generic(), generic({ [field]: value })] });
      expect(error.details).toEqual([{ path: `alerts[1].${field}`, message: expect.stringMatching(/^at most /) }]);
    }
  });

  it('bounds the alarm name and dimensions of a CloudWatch alarm', async () => {
    const name = await refusal('cloudwatch', eventBridge({ alarmName: 'a'.repeat(alertLimits.name + 1) }));
    expect(name.details).toEqual([{ path: 'detail.alarmName', message: 'at most 256 characters' }]);
    const dimension = await refusal(
      'cloudwatch',
      eventBridge({ dimensions: { Host: 'h'.repeat(alertLimits.value + 1) } }),
    );
    expect(dimension.details).toEqual([
      {
        path: 'detail.configuration.metrics[0].metricStat.metric.dimensions.Host',
        message: 'at most 2,048 characters',
      },
    ]);
  });

  it('accepts every field at its bound, in characters that take 3 bytes each', async () => {
    const fields = {
      name: wide(alertLimits.name),
      service: wide(alertLimits.value),
      host: wide(alertLimits.value),
      summary: wide(alertLimits.summary),
      description: wide(alertLimits.text),
      url: `https://grafana.example.com/${'x'.repeat(alertLimits.url - 28)}`,
      runbookURL: `https://wiki.example.com/${'x'.repeat(alertLimits.url - 25)}`,
      group: wide(alertLimits.url),
      labels: Object.fromEntries(Array.from({ length: alertLimits.entries - 3 }, (_, i) => [`label${i}`, wide(100)])),
      annotations: Object.fromEntries(Array.from({ length: alertLimits.entries }, (_, i) => [`note${i}`, wide(100)])),
    };
    const [alert] = await accepted('generic', generic(fields));
    expect(alert!.description).toBe(fields.description);
    const [fromAlertmanager] = await accepted(
      'alertmanager',
      alertmanager([amAlert({ alertname: wide(alertLimits.name) }, { description: wide(alertLimits.text) })]),
    );
    expect(fromAlertmanager!.name).toHaveLength(alertLimits.name);
  });

  it('refuses an alert whose fields are each within bounds but whose whole is over, naming its largest part', async () => {
    // Control characters are 6 bytes each once escaped in JSON: two annotations of them, each within its bound.
    const escaped = '\u0001'.repeat(alertLimits.text);
    const error = await refusal('generic', generic({ annotations: { a: escaped, b: escaped } }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/^alert: 2\d\d,\d{3} bytes as JSON, at most 196,608; annotations takes 240,\d{3}$/);
    expect(error.details).toEqual([{ path: 'alert.annotations', message: expect.any(String) }]);
  });

  it('keeps the largest accepted alert within an SQS message and a DynamoDB item in every form it is stored', async () => {
    // As large as the whole-alert bound lets it be, in 3-byte characters: the description at its bound, and
    // annotations at theirs until the alert is a few bytes short of the whole.
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const fields = { description: wide(alertLimits.text), annotations: {} as Record<string, string> };
    const [start] = await accepted('generic', generic(fields));
    let room = alertLimits.bytes - bytes(start);
    for (let i = 0; room > 32; i++) {
      const length = Math.min(alertLimits.text, Math.floor((room - 16) / 3));
      fields.annotations[`a${i}`] = wide(length);
      room -= length * 3 + 16;
    }
    const [largest] = await accepted('generic', generic(fields));
    expect(bytes(largest)).toBeGreaterThan(alertLimits.bytes - 64);
    expect(bytes(largest)).toBeLessThanOrEqual(alertLimits.bytes);
    // The alerts queue carries the alert; the notify queue carries it with the dedup decision.
    const forwarded: ForwardedAlert = forwardedAlertSchema.parse({ alert: largest, decision: 'resolve', count: 1e9 });
    expect(bytes(forwarded)).toBeLessThan(SQS_MESSAGE_BYTES);
    // The alert item: the alert, its ids, route plan, related section and a long timeline. JSON is an upper bound of
    // DynamoDB's size here (strings count their UTF-8 bytes in both; JSON adds quotes and separators).
    const item: StoredAlert & { pk: string; firingName: string } = {
      pk: 'alert#0123456789ab',
      alertId: '0123456789ab',
      fingerprint: largest!.fingerprint,
      status: 'firing',
      severity: 'warning',
      alert: largest!,
      firstSeenAt: largest!.receivedAt,
      lastSeenAt: largest!.receivedAt,
      countBase: 1,
      count: 1e9,
      plan: {
        routes: ['default'],
        targets: [{ kind: 'chat', id: 'oc_ops' }],
        team: 'ops',
        onCall: { openId: 'ou_oncall', name: wide(40) },
        escalation: 'default',
        channels: ['card'],
      },
      related: { title: wide(200), section: wide(200), source: wide(200) },
      openedBy: largest!.eventId,
      lastEventId: largest!.eventId,
      firingName: largest!.name,
      timeline: Array.from({ length: 100 }, () => ({ at: largest!.receivedAt, event: 'muted', detail: wide(300) })),
    };
    expect(bytes(item)).toBeLessThan(DYNAMODB_ITEM_BYTES);
    // The dedup item keeps the event id and the name beside a few numbers.
    expect(Buffer.byteLength(largest!.eventId) + Buffer.byteLength(largest!.name)).toBeLessThan(2_048);
  });
});

describe('alerts per delivery', () => {
  it(`accepts ${MAX_ALERTS_PER_DELIVERY} alerts in one delivery`, async () => {
    const alerts = Array.from({ length: MAX_ALERTS_PER_DELIVERY }, (_, i) => amAlert({ instance: `h${i}` }));
    expect(await accepted('alertmanager', alertmanager(alerts))).toHaveLength(MAX_ALERTS_PER_DELIVERY);
  });

  it('answers 413 naming the cap to Alertmanager and generic deliveries of more', async () => {
    const am = await refusal('alertmanager', alertmanager(Array.from({ length: 5_000 }, () => amAlert())));
    expect(am.statusCode).toBe(413);
    expect(am.message).toBe('alerts: 5,000 in one delivery, at most 1,000; set max_alerts in its webhook_configs');
    const many = await refusal('generic', {
      alerts: Array.from({ length: MAX_ALERTS_PER_DELIVERY + 1 }, () => generic()),
    });
    expect(many.statusCode).toBe(413);
    expect(many.message).toBe('alerts: 1,001 in one delivery, at most 1,000; send them in several deliveries');
  });
});
