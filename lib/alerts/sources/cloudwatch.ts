import * as z from 'zod';
import { HttpError } from '../../lambda/errors.js';
import { alertFields, alertLimits, atMost, meaningfulTime, normaliseSeverity, type AlertDraft } from '../model.js';
import type { Severity } from '../severity.js';
import { parsePayload } from './parse.js';
import { isSnsDelivery, snsEnvelope, type SnsEnvelope } from './sns.js';
import { bearerToken, type AlertSourceDefinition, type Delivery, type SourceDeps } from './source.js';

const alarmState = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/** The alarm notification CloudWatch puts in the SNS `Message`. What is stored is bounded (`alertFields`). */
export const cloudwatchAlarmMessage = z.object({
  AlarmName: alertFields.name,
  AlarmDescription: alertFields.text.nullish(),
  AWSAccountId: z.string(),
  NewStateValue: alarmState,
  NewStateReason: alertFields.summary.default(''),
  StateChangeTime: z.string(),
  Region: z.string().optional(),
  AlarmArn: alertFields.url.regex(/^arn:aws[\w-]*:cloudwatch:[\w-]+:\d+:alarm:/, {
    message: 'not a CloudWatch alarm ARN',
  }),
  OldStateValue: alarmState.optional(),
  Trigger: z
    .object({
      MetricName: alertFields.value.optional(),
      Namespace: alertFields.value.optional(),
      Statistic: z.string().nullish(),
      Dimensions: z
        .array(z.object({ name: alertFields.key, value: alertFields.value }))
        .max(alertLimits.entries, atMost(alertLimits.entries, 'entries'))
        .default([]),
      Period: z.number().optional(),
      EvaluationPeriods: z.number().optional(),
      ComparisonOperator: z.string().optional(),
      Threshold: z.number().optional(),
    })
    .optional(),
});

/** The EventBridge "CloudWatch Alarm State Change" event. What is stored is bounded (`alertFields`). */
export const cloudwatchAlarmEvent = z.object({
  id: alertFields.id,
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  account: z.string(),
  region: z.string(),
  time: z.string(),
  resources: z.array(alertFields.url).min(1),
  detail: z.object({
    alarmName: alertFields.name,
    state: z.object({ value: alarmState, reason: alertFields.summary.default(''), timestamp: z.string() }),
    previousState: z.object({ value: alarmState }).partial().optional(),
    configuration: z
      .object({
        description: alertFields.text.nullish(),
        metrics: z
          .array(
            z.object({
              metricStat: z
                .object({
                  metric: z.object({
                    namespace: alertFields.value.optional(),
                    name: alertFields.value.optional(),
                    dimensions: alertFields.labels.default({}),
                  }),
                })
                .optional(),
            }),
          )
          .default([]),
      })
      .default({ metrics: [] }),
  }),
});

/** What both CloudWatch delivery paths carry, in one shape. */
interface AlarmChange {
  eventId: string;
  alarmName: string;
  alarmArn: string;
  description?: string;
  state: z.infer<typeof alarmState>;
  reason: string;
  changedAt: string;
  namespace?: string;
  metric?: string;
  dimensions: Record<string, string>;
}

/** Dimensions that name the thing in trouble, in the order we prefer them as "host". */
const hostDimensions = [
  'InstanceId',
  'DBInstanceIdentifier',
  'DBClusterIdentifier',
  'LoadBalancer',
  'TargetGroup',
  'FunctionName',
  'ClusterName',
  'ServiceName',
  'QueueName',
  'TableName',
  'CacheClusterId',
  'AutoScalingGroupName',
  'BucketName',
];

/** `severity=critical` or `service=payments` in the alarm description set those fields (alarms have no labels). */
function descriptionTag(description: string | undefined, key: string): string | undefined {
  return description?.match(new RegExp(`(?:^|[\\s;,\\[])${key}\\s*[=:]\\s*([\\w.-]+)`, 'i'))?.[1];
}

/** The console lives elsewhere in the China and GovCloud partitions. */
function consoleOrigin(arn: string, region: string): string {
  const partition = arn.split(':')[1];
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? 'unknown';
}

/** INSUFFICIENT_DATA says nothing about the alarm's condition, so it neither opens nor resolves an alert. */
function toAlert(change: AlarmChange, receivedAt: string): AlertDraft | undefined {
  if (change.state === 'INSUFFICIENT_DATA') return undefined;
  const region = regionOfArn(change.alarmArn);
  const account = change.alarmArn.split(':')[4] ?? 'unknown';
  const severity: Severity = normaliseSeverity(descriptionTag(change.description, 'severity'));
  const host =
    hostDimensions.map((name) => change.dimensions[name]).find(Boolean) ?? Object.values(change.dimensions)[0];
  const changedAt = meaningfulTime(change.changedAt) ?? receivedAt;
  const firing = change.state === 'ALARM';
  // A lone surrogate cannot be percent-encoded (URIError): it becomes U+FFFD in the link, and only there.
  const alarm = encodeURIComponent(change.alarmName.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
  return {
    eventId: change.eventId,
    source: 'cloudwatch',
    identity: { alarmArn: change.alarmArn },
    status: firing ? 'firing' : 'resolved',
    severity,
    name: change.alarmName,
    service: descriptionTag(change.description, 'service') ?? change.namespace ?? 'aws',
    host,
    summary: change.reason || change.alarmName,
    description: change.description,
    labels: {
      alertname: change.alarmName,
      account,
      region,
      ...(change.namespace ? { namespace: change.namespace } : {}),
      ...(change.metric ? { metric: change.metric } : {}),
      ...change.dimensions,
    },
    annotations: { reason: change.reason },
    startsAt: changedAt,
    endsAt: firing ? undefined : changedAt,
    generatorURL: `${consoleOrigin(change.alarmArn, region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${alarm}`,
    runbookURL: change.description?.match(/https?:\/\/\S+/)?.[0],
    // An alarm is its own incident.
    group: change.alarmArn,
    receivedAt,
  };
}

/** An SNS Notification whose signature has already been verified. */
export function fromSnsNotification(envelope: SnsEnvelope, receivedAt: string): AlertDraft[] {
  let message: unknown;
  try {
    message = JSON.parse(envelope.Message);
  } catch {
    message = envelope.Message;
  }
  const alarm = parsePayload(cloudwatchAlarmMessage, message, 'CloudWatch alarm (SNS Message)');
  const alert = toAlert(
    {
      eventId: `sns:${envelope.MessageId}`,
      alarmName: alarm.AlarmName,
      alarmArn: alarm.AlarmArn,
      description: alarm.AlarmDescription ?? undefined,
      state: alarm.NewStateValue,
      reason: alarm.NewStateReason,
      changedAt: alarm.StateChangeTime,
      namespace: alarm.Trigger?.Namespace,
      metric: alarm.Trigger?.MetricName,
      dimensions: Object.fromEntries((alarm.Trigger?.Dimensions ?? []).map((d) => [d.name, d.value])),
    },
    receivedAt,
  );
  return alert ? [alert] : [];
}

export function fromEventBridge(body: unknown, receivedAt: string): AlertDraft[] {
  const event = parsePayload(cloudwatchAlarmEvent, body, 'EventBridge CloudWatch Alarm State Change');
  const metric = event.detail.configuration.metrics.find((m) => m.metricStat)?.metricStat?.metric;
  const alert = toAlert(
    {
      eventId: `eventbridge:${event.id}`,
      alarmName: event.detail.alarmName,
      alarmArn: event.resources[0]!,
      description: event.detail.configuration.description ?? undefined,
      state: event.detail.state.value,
      reason: event.detail.state.reason,
      changedAt: event.detail.state.timestamp,
      namespace: metric?.namespace,
      metric: metric?.name,
      dimensions: metric?.dimensions ?? {},
    },
    receivedAt,
  );
  return alert ? [alert] : [];
}

/** The validator's own verdicts on a message; anything else (the certificate could not be fetched) is our trouble. */
const signatureVerdict = /Invalid (Signature|SigningCertURL|SignatureVersion)|Invalid Type|not a valid JSON/;

const envelopeOf = (delivery: Delivery) => parsePayload(snsEnvelope, delivery.json(), 'SNS');

/**
 * SNS cannot send a bearer token: its signature and the topic allow-list are its authentication. The topic is
 * checked first (403), then the signature (401); a certificate that could not be fetched is a 503, because SNS
 * retries 5xx but not 4xx and the alarm must not be dropped for our trouble.
 */
async function authenticateSns(delivery: Delivery, deps: SourceDeps): Promise<void> {
  const envelope = envelopeOf(delivery);
  if (!deps.allowedTopics.includes(envelope.TopicArn)) {
    throw new HttpError(403, `SNS topic ${envelope.TopicArn} is not allowed; add it to CLOUDWATCH_TOPIC_ARNS`);
  }
  try {
    await deps.sns.verify(envelope);
  } catch (error) {
    const reason = (error as Error).message;
    if (signatureVerdict.test(reason)) throw new HttpError(401, `SNS signature rejected: ${reason}`);
    deps.log.error('SNS signature could not be checked', { topic: envelope.TopicArn, error });
    throw new HttpError(503, `SNS signature could not be checked: ${reason}`);
  }
}

/** A verified SNS delivery: a subscription handshake is answered (and confirmed once), a notification is an alarm. */
async function parseSns(delivery: Delivery, deps: SourceDeps) {
  const envelope = envelopeOf(delivery);
  if (envelope.Type === 'SubscriptionConfirmation') {
    if (!envelope.SubscribeURL) throw new HttpError(400, 'SubscriptionConfirmation without SubscribeURL');
    try {
      await deps.sns.confirmSubscription(envelope.SubscribeURL);
    } catch (error) {
      deps.log.error('SNS subscription confirmation failed', { topic: envelope.TopicArn, error });
      throw new HttpError(502, `could not confirm the SNS subscription: ${(error as Error).message}`);
    }
    deps.log.info('SNS subscription confirmed', { topic: envelope.TopicArn });
    return { statusCode: 200, body: { confirmed: envelope.TopicArn } };
  }
  if (envelope.Type === 'UnsubscribeConfirmation') {
    deps.log.warn('SNS subscription removed', { topic: envelope.TopicArn });
    return { statusCode: 200, body: { unsubscribed: envelope.TopicArn } };
  }
  return fromSnsNotification(envelope, delivery.receivedAt);
}

/** CloudWatch alarms: through SNS (HTTPS subscription, signed), or EventBridge (an API destination with the token). */
export const cloudwatch: AlertSourceDefinition = {
  name: 'cloudwatch',
  authenticate: (delivery, deps) =>
    isSnsDelivery(delivery.headers) ? authenticateSns(delivery, deps) : bearerToken(delivery, deps),
  parse: async (delivery, deps) =>
    isSnsDelivery(delivery.headers) ? parseSns(delivery, deps) : fromEventBridge(delivery.json(), delivery.receivedAt),
};
