import { HttpError } from '../lambda/errors.js';
import type { Metrics } from '../lambda/metrics.js';
import type { Queue } from '../lambda/queue.js';
import { fingerprint } from './fingerprint.js';
import { alertDimensions, alertLimits, type Alert, type AlertDraft } from './model.js';
import { alertSource } from './sources/index.js';
import { openDelivery, type SourceAnswer, type SourceDeps } from './sources/source.js';

export interface IngestDeps extends SourceDeps {
  queue: Queue<Alert>;
  now?: () => Date;
  metrics?: Metrics;
}

/**
 * The ingest path, for one delivery to `POST /alerts/{source}`: authenticate → parse → fingerprint → bound → queue
 * (10 per SQS request). Bad input is a 4xx that says what was wrong and queues nothing; a queue failure is a 503 so
 * the source retries (dedup absorbs the repeat).
 */
export async function ingest(
  sourceName: string | undefined,
  request: { headers: Record<string, string>; rawBody: Buffer },
  deps: IngestDeps,
): Promise<SourceAnswer> {
  const source = alertSource(sourceName);
  const delivery = openDelivery(request, (deps.now?.() ?? new Date()).toISOString());
  await source.authenticate(delivery, deps);
  const drafts = await source.parse(delivery, deps);
  if (!Array.isArray(drafts)) return drafts;
  return queue(toAlerts(drafts), source.name, deps);
}

/** Names the condition: the same source and identity always give the same fingerprint, whoever delivered it. */
function withFingerprint({ identity, ...alert }: AlertDraft): Alert {
  return { ...alert, fingerprint: fingerprint(alert.source, identity) };
}

/**
 * The sources bound every field they store (a 400 names the field); this bounds the whole (many long values, or text
 * of escaped control characters, 6 bytes each in JSON), so that no accepted alert can fail later for its size.
 */
function bound(alert: Alert, index: number, alerts: Alert[]): Alert {
  const bytes = Buffer.byteLength(JSON.stringify(alert));
  if (bytes <= alertLimits.bytes) return alert;
  const [largest] = Object.entries(alert)
    .map(([field, value]) => ({ field, bytes: Buffer.byteLength(JSON.stringify(value) ?? '') }))
    .sort((a, b) => b.bytes - a.bytes);
  const where = alerts.length > 1 ? `alerts[${index}]` : 'alert';
  const count = (n: number) => n.toLocaleString('en-US');
  const problem = `${count(bytes)} bytes as JSON, at most ${count(alertLimits.bytes)}; ${largest!.field} takes ${count(largest!.bytes)}`;
  throw new HttpError(400, `${where}: ${problem}`, [{ path: `${where}.${largest!.field}`, message: problem }]);
}

/** What ingest makes of a source's drafts (also for tests of a source on its own). */
export const toAlerts = (drafts: AlertDraft[]): Alert[] => drafts.map(withFingerprint).map(bound);

async function queue(alerts: Alert[], source: string, deps: IngestDeps): Promise<SourceAnswer> {
  if (!alerts.length) {
    return { statusCode: 202, body: { queued: 0, note: 'nothing to alert on (INSUFFICIENT_DATA is ignored)' } };
  }
  const { failed } = await deps.queue.sendAll(alerts);
  if (failed.length) {
    deps.log.error('alerts could not be queued', { source, failed: failed.length, total: alerts.length });
    throw new HttpError(503, `${failed.length} of ${alerts.length} alerts could not be queued; retry the delivery`);
  }
  for (const alert of alerts) deps.metrics?.add('AlertsReceived', alertDimensions(alert));
  return { statusCode: 202, body: { queued: alerts.length } };
}
