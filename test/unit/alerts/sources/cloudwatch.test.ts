import { describe, expect, it } from 'vitest';
import { alertSchema } from '../../../../lib/alerts/model.js';
import { toAlerts } from '../../../../lib/alerts/ingest.js';
import { fromEventBridge, fromSnsNotification } from '../../../../lib/alerts/sources/cloudwatch.js';
import { snsEnvelope, type SnsEnvelope } from '../../../../lib/alerts/sources/sns.js';
import { stateChange } from '../../fakes/cloudwatch.js';
import { paths, rejected400 } from '../../fakes/rejections.js';

const receivedAt = '2026-03-02T03:00:00.000Z';
const alarmArn = 'arn:aws:cloudwatch:ap-southeast-1:123456789012:alarm:api-high-cpu';

/** The alarm notification CloudWatch publishes to SNS, as it really looks (extra fields included). */
function alarmMessage(change: Record<string, unknown> = {}) {
  return {
    AlarmName: 'api-high-cpu',
    AlarmDescription:
      'CPU above 80% on the API host. severity=critical service=api https://runbooks.example.com/api/cpu',
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-02-20T08:00:00.000+0000',
    NewStateValue: 'ALARM',
    NewStateReason:
      'Threshold Crossed: 1 out of the last 1 datapoints [93.2 (02/03/26 02:55:00)] was greater than or equal to the threshold (80.0).',
    StateChangeTime: '2026-03-02T02:56:07.123+0000',
    Region: 'Asia Pacific (Singapore)',
    AlarmArn: alarmArn,
    OldStateValue: 'OK',
    OKActions: ['arn:aws:sns:ap-southeast-1:123456789012:openclaw-alarms'],
    AlarmActions: ['arn:aws:sns:ap-southeast-1:123456789012:openclaw-alarms'],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Unit: null,
      Dimensions: [{ value: 'i-0abc123def4567890', name: 'InstanceId' }],
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 80.0,
      TreatMissingData: 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
    ...change,
  };
}

function envelope(message: unknown, messageId = 'b1946ac9-2c6f-5c3e-9f2a-6d1c2f3e4a5b'): SnsEnvelope {
  return snsEnvelope.parse({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:ap-southeast-1:123456789012:openclaw-alarms',
    Subject: 'ALARM: "api-high-cpu" in Asia Pacific (Singapore)',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-03-02T02:56:07.200Z',
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL: 'https://sns.ap-southeast-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL:
      'https://sns.ap-southeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:ap-southeast-1:123456789012:openclaw-alarms:0',
  });
}

const rejected = rejected400;

describe('fromSnsNotification', () => {
  it('turns an ALARM into a firing alert with the alarm, metric and dimensions as labels', () => {
    const [alert, ...rest] = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt));
    expect(rest).toEqual([]);
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      source: 'cloudwatch',
      status: 'firing',
      name: 'api-high-cpu',
      host: 'i-0abc123def4567890',
      summary: expect.stringContaining('Threshold Crossed'),
      startsAt: '2026-03-02T02:56:07.123Z',
      runbookURL: 'https://runbooks.example.com/api/cpu',
      labels: {
        alertname: 'api-high-cpu',
        account: '123456789012',
        region: 'ap-southeast-1',
        namespace: 'AWS/EC2',
        metric: 'CPUUtilization',
        InstanceId: 'i-0abc123def4567890',
      },
    });
    expect(alert!.endsAt).toBeUndefined();
  });

  it('takes the region from AlarmArn when Region is a display name', () => {
    const [alert] = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt));
    expect(alert!.labels.region).toBe('ap-southeast-1');
    expect(alert!.generatorURL).toMatch(
      /^https:\/\/ap-southeast-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=ap-southeast-1#/,
    );
    expect(alert!.generatorURL).not.toContain('Singapore');
  });

  it('reads severity=critical and service=api from the AlarmDescription', () => {
    const [alert] = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt));
    expect(alert!.severity).toBe('critical');
    expect(alert!.service).toBe('api');
  });

  it('counts an alarm whose description names no severity as warning, of the metric namespace', () => {
    const [alert] = toAlerts(fromSnsNotification(envelope(alarmMessage({ AlarmDescription: null })), receivedAt));
    expect(alert!.severity).toBe('warning');
    expect(alert!.service).toBe('AWS/EC2');
    expect(alert!.runbookURL).toBeUndefined();
  });

  it('turns OK into a resolved alert with the same fingerprint, ending at the state change', () => {
    const [firing] = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt));
    const [resolved] = toAlerts(
      fromSnsNotification(
        envelope(
          alarmMessage({
            NewStateValue: 'OK',
            OldStateValue: 'ALARM',
            StateChangeTime: '2026-03-02T03:20:00.000+0000',
          }),
          'other-id',
        ),
        receivedAt,
      ),
    );
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: '2026-03-02T03:20:00.000Z' });
    expect(resolved!.fingerprint).toBe(firing!.fingerprint);
  });

  it('makes no alert of INSUFFICIENT_DATA', () => {
    expect(
      toAlerts(fromSnsNotification(envelope(alarmMessage({ NewStateValue: 'INSUFFICIENT_DATA' })), receivedAt)),
    ).toEqual([]);
  });

  it('uses sns:<MessageId> as the event id, the same on every retry of the delivery', () => {
    const first = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt))[0]!;
    const retry = toAlerts(fromSnsNotification(envelope(alarmMessage()), '2026-03-02T03:00:15.000Z'))[0]!;
    expect(first.eventId).toBe('sns:b1946ac9-2c6f-5c3e-9f2a-6d1c2f3e4a5b');
    expect(retry.eventId).toBe(first.eventId);
    expect(retry.fingerprint).toBe(first.fingerprint);
  });

  it('gives different alarms different fingerprints', () => {
    const one = toAlerts(fromSnsNotification(envelope(alarmMessage()), receivedAt))[0]!;
    const other = toAlerts(
      fromSnsNotification(
        envelope(
          alarmMessage({
            AlarmName: 'api-high-mem',
            AlarmArn: 'arn:aws:cloudwatch:ap-southeast-1:123456789012:alarm:api-high-mem',
          }),
        ),
        receivedAt,
      ),
    )[0]!;
    expect(other.fingerprint).not.toBe(one.fingerprint);
  });

  it('accepts a metric-math alarm that has no metric name or dimensions', () => {
    const message = alarmMessage({
      Trigger: {
        Metrics: [{ Id: 'e1', Expression: 'm1/m2', ReturnData: true }],
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1,
      },
    });
    const [alert] = toAlerts(fromSnsNotification(envelope(message), receivedAt));
    expect(alert!.host).toBeUndefined();
    expect(alert!.labels).toEqual({ alertname: 'api-high-cpu', account: '123456789012', region: 'ap-southeast-1' });
  });

  it('rejects a Message that is not JSON with a 400 that says the alarm message is not an object', () => {
    const error = rejected(() => toAlerts(fromSnsNotification(envelope('ALARM: api-high-cpu'), receivedAt)));
    expect(error.message).toBe(
      'invalid CloudWatch alarm (SNS Message) payload: (body): Invalid input: expected object, received string',
    );
    expect(error.details).toEqual([{ path: '(body)', message: 'Invalid input: expected object, received string' }]);
  });

  it('rejects a Message without AlarmArn or with an unknown state, naming the fields', () => {
    const { AlarmArn: _, ...message } = alarmMessage({ NewStateValue: 'BROKEN' });
    expect(paths(rejected(() => toAlerts(fromSnsNotification(envelope(message), receivedAt))))).toEqual(
      expect.arrayContaining(['AlarmArn', 'NewStateValue']),
    );
  });

  it('rejects an AlarmArn that is not a CloudWatch alarm', () => {
    const error = rejected(() =>
      toAlerts(
        fromSnsNotification(
          envelope(alarmMessage({ AlarmArn: 'arn:aws:sns:ap-southeast-1:123456789012:topic' })),
          receivedAt,
        ),
      ),
    );
    expect(error.details).toContainEqual({ path: 'AlarmArn', message: 'not a CloudWatch alarm ARN' });
  });
});

describe('fromEventBridge', () => {
  it('turns an ALARM state change into a firing alert from the alarm ARN, metric and description', () => {
    const [alert] = toAlerts(fromEventBridge(stateChange(), receivedAt));
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      eventId: 'eventbridge:c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      source: 'cloudwatch',
      status: 'firing',
      severity: 'critical',
      name: 'orders-db-cpu',
      service: 'AWS/RDS',
      host: 'orders-db-1',
      startsAt: '2026-03-02T02:56:07.989Z',
      labels: {
        alertname: 'orders-db-cpu',
        region: 'eu-west-1',
        account: '123456789012',
        metric: 'CPUUtilization',
        DBInstanceIdentifier: 'orders-db-1',
      },
    });
  });

  it('gives the same alarm the same fingerprint whether it came through SNS or EventBridge', () => {
    const viaEventBridge = toAlerts(fromEventBridge(stateChange(), receivedAt))[0]!;
    const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-db-cpu';
    const viaSns = toAlerts(
      fromSnsNotification(envelope(alarmMessage({ AlarmName: 'orders-db-cpu', AlarmArn: arn })), receivedAt),
    )[0]!;
    expect(viaSns.fingerprint).toBe(viaEventBridge.fingerprint);
  });

  it('turns OK into a resolved alert and INSUFFICIENT_DATA into none', () => {
    const [resolved] = toAlerts(fromEventBridge(stateChange({ state: 'OK', id: 'e2' }), receivedAt));
    expect(resolved).toMatchObject({
      status: 'resolved',
      endsAt: '2026-03-02T02:56:07.989Z',
      eventId: 'eventbridge:e2',
    });
    expect(toAlerts(fromEventBridge(stateChange({ state: 'INSUFFICIENT_DATA' }), receivedAt))).toEqual([]);
  });

  it('accepts an alarm without a description and counts it as warning', () => {
    const [alert] = toAlerts(fromEventBridge(stateChange({ description: null }), receivedAt));
    expect(alert!.severity).toBe('warning');
  });

  it('rejects another EventBridge detail-type or an event without resources, naming the fields', () => {
    const event = { ...stateChange(), 'detail-type': 'EC2 Instance State-change Notification', resources: [] };
    expect(paths(rejected(() => toAlerts(fromEventBridge(event, receivedAt))))).toEqual(
      expect.arrayContaining(['detail-type', 'resources']),
    );
  });
});
