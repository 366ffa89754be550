import * as z from 'zod';
import { severities, type Severity } from './severity.js';

const labelMap = z.record(z.string(), z.string());

/** One alert event after normalisation: what every source becomes before it is queued. */
export const alertSchema = z.object({
  /** Unique per received event; stable across retries of the same delivery (SNS MessageId, EventBridge id). */
  eventId: z.string().min(1),
  /** The source that sent it, as named in lib/alerts/sources (the path of POST /alerts/{source}). */
  source: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
  /** Identity of the alerting condition: the same problem always has the same fingerprint. */
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  status: z.enum(['firing', 'resolved']),
  severity: z.enum(severities),
  name: z.string().min(1),
  service: z.string().min(1),
  host: z.string().optional(),
  summary: z.string(),
  description: z.string().optional(),
  labels: labelMap,
  annotations: labelMap,
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  runbookURL: z.string().optional(),
  /** The source's own grouping (an Alertmanager groupKey, a CloudWatch alarm): the alerts of one incident. */
  group: z.string().optional(),
  receivedAt: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

/** How the platform's metrics break alerts down: by source and severity, both of a handful of values. */
export const alertDimensions = (alert: Pick<Alert, 'source' | 'severity'>) => ({
  Source: alert.source,
  Severity: alert.severity,
});

/**
 * What a source makes of one alert in a delivery: the alert before ingest names the condition, with the labels that
 * identify the condition (`identity`, hashed into the fingerprint).
 */
export type AlertDraft = Omit<Alert, 'fingerprint'> & { identity: Record<string, string> };

/**
 * The labels that routes, silences and inhibition rules match on: the source's labels plus the normalised name, host,
 * service and severity (normalised values win, so `severity=critical` matches however the source spelled it).
 */
export const matchLabels = (
  alert: Pick<Alert, 'name' | 'labels' | 'severity' | 'service' | 'host'>,
): Record<string, string> => ({
  alertname: alert.name,
  ...(alert.host ? { host: alert.host } : {}),
  ...alert.labels,
  severity: alert.severity,
  service: alert.service,
});

const severityWords: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  p0: 'critical',
  p1: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  high: 'critical',
  error: 'warning',
  warning: 'warning',
  warn: 'warning',
  p2: 'warning',
  p3: 'warning',
  major: 'warning',
  minor: 'warning',
  medium: 'warning',
  info: 'info',
  informational: 'info',
  notice: 'info',
  none: 'info',
  low: 'info',
  p4: 'info',
  p5: 'info',
  debug: 'info',
};

/** Maps the many spellings sources use onto our three levels; unknown words count as warning, never as info. */
export function normaliseSeverity(value: string | undefined, fallback: Severity = 'warning'): Severity {
  if (!value) return fallback;
  return severityWords[value.trim().toLowerCase()] ?? fallback;
}

/** Alertmanager's "zero" time means "still firing": treat it as absent. */
export function meaningfulTime(value: string | undefined): string | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * What one alert may carry, in characters (as JavaScript counts them). Every field a source sends that is stored is
 * checked against one of these at ingest, and a delivery with a field over its bound is a 400 that names the field:
 * an alert that was accepted is never clipped, and never fails later for its size.
 */
export const alertLimits = {
  /** The id a source gives an event (an EventBridge `id`, an SNS `MessageId`), kept as the alert's `eventId`. */
  id: 256,
  /** An alert's name (`alertname`, `AlarmName`): it is also a DynamoDB index key (at most 2,048 bytes). */
  name: 256,
  /** A label's or an annotation's name. */
  key: 256,
  /** A label's value, and so a service or a host. */
  value: 2_048,
  /** Labels per alert, and annotations per alert (CloudWatch allows 30 dimensions). */
  entries: 64,
  /** A summary (the one line on the card; a CloudWatch state reason). */
  summary: 2_000,
  /** A description, and any annotation's value. */
  text: 20_000,
  /** A link (`generatorURL`, `runbookURL`), and a source's group (an Alertmanager `groupKey`, an alarm's ARN). */
  url: 4_096,
  /**
   * The whole alert as queued (JSON, UTF-8): every field at its bound at once would be more, so the whole has its own
   * bound. Under it, the alert fits SQS's 256 KB message with the dedup decision around it, and DynamoDB's 400 KB
   * item with its timeline, route plan and ids beside it.
   */
  bytes: 192 * 1024,
} as const;

/** A bound's message in a 400, as every source words it. */
export const atMost = (max: number, what = 'characters') => `at most ${max.toLocaleString('en-US')} ${what}`;
const bounded = (max: number) => z.string().max(max, atMost(max));
const stringMap = (valueMax: number) =>
  z
    .record(bounded(alertLimits.key), bounded(valueMax))
    .refine((map) => Object.keys(map).length <= alertLimits.entries, atMost(alertLimits.entries, 'entries'));

/** The bounded fields sources are made of: a source's zod schema uses these for every field that ends up stored. */
export const alertFields = {
  id: bounded(alertLimits.id).min(1),
  name: bounded(alertLimits.name).min(1),
  key: bounded(alertLimits.key),
  value: bounded(alertLimits.value),
  summary: bounded(alertLimits.summary),
  text: bounded(alertLimits.text),
  url: bounded(alertLimits.url),
  labels: stringMap(alertLimits.value),
  annotations: stringMap(alertLimits.text),
};
