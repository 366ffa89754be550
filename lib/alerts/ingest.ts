import { requireToken } from '../lambda/auth.js';
import { HttpError } from '../lambda/errors.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import type { SnsGateway } from './sources/sns.js';
import { boundAlert, type Alert, type AlertSource } from './model.js';
import { fromAlertmanager } from './sources/alertmanager.js';
import { fromEventBridge, fromSnsNotification, snsEnvelope } from './sources/cloudwatch.js';
import { fromGeneric } from './sources/generic.js';
import { parsePayload } from './sources/parse.js';

export interface IngestDeps {
  /** The bearer tokens accepted right now (more than one while a token is being rotated). */
  tokens: () => Promise<string[]>;
  queue: Queue<Alert>;
  sns: SnsGateway;
  /** SNS topics allowed to deliver CloudWatch alarms. */
  allowedTopics: string[];
  log: Logger;
  now?: () => Date;
}

export interface IngestRequest {
  headers: Record<string, string>;
  rawBody: Buffer;
}

export interface IngestResult {
  statusCode: number;
  body: Record<string, unknown>;
}

function parseJson(rawBody: Buffer): unknown {
  if (!rawBody.length) throw new HttpError(400, 'request body is empty; expected JSON');
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** SNS always names its message type in this header; without it, a request must carry the bearer token. */
const isSnsDelivery = (headers: Record<string, string>) => Boolean(headers['x-amz-sns-message-type']);

/** The validator's own verdicts on a message; anything else (the certificate could not be fetched) is our trouble. */
const signatureVerdict = /Invalid (Signature|SigningCertURL|SignatureVersion)|Invalid Type|not a valid JSON/;

/**
 * Authenticates, validates and normalises one delivery, then queues its alerts (10 per SQS request).
 * Bad input is a 4xx that says what was wrong; a queue failure is a 503 so the source retries (dedup absorbs the repeat).
 */
export async function ingest(source: AlertSource, request: IngestRequest, deps: IngestDeps): Promise<IngestResult> {
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  const sns = source === 'cloudwatch' && isSnsDelivery(request.headers);
  if (!sns) requireToken(request.headers, await deps.tokens());
  const body = parseJson(request.rawBody);
  let alerts: Alert[];

  if (sns) {
    // SNS cannot send a bearer token: its signature and the topic allow-list are the authentication.
    const envelope = parsePayload(snsEnvelope, body, 'SNS');
    if (!deps.allowedTopics.includes(envelope.TopicArn)) {
      throw new HttpError(403, `SNS topic ${envelope.TopicArn} is not allowed; add it to CLOUDWATCH_TOPIC_ARNS`);
    }
    try {
      await deps.sns.verify(envelope);
    } catch (error) {
      const reason = (error as Error).message;
      if (signatureVerdict.test(reason)) throw new HttpError(401, `SNS signature rejected: ${reason}`);
      // SNS retries 5xx but not 4xx: a certificate we could not fetch must not drop the alarm.
      deps.log.error('SNS signature could not be checked', { topic: envelope.TopicArn, error });
      throw new HttpError(503, `SNS signature could not be checked: ${reason}`);
    }
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
    alerts = fromSnsNotification(envelope, receivedAt);
  } else {
    alerts =
      source === 'alertmanager'
        ? fromAlertmanager(body, receivedAt)
        : source === 'cloudwatch'
          ? fromEventBridge(body, receivedAt)
          : fromGeneric(body, receivedAt);
  }

  if (!alerts.length)
    return { statusCode: 202, body: { queued: 0, note: 'nothing to alert on (INSUFFICIENT_DATA is ignored)' } };
  alerts = alerts.map(boundAlert);
  const { failed } = await deps.queue.sendAll(alerts);
  if (failed.length) {
    deps.log.error('alerts could not be queued', { source, failed: failed.length, total: alerts.length });
    throw new HttpError(503, `${failed.length} of ${alerts.length} alerts could not be queued; retry the delivery`);
  }
  return { statusCode: 202, body: { queued: alerts.length } };
}
