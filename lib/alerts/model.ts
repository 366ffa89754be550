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
 * What a source makes of one alert in a delivery: the alert before ingest bounds its free text and names the
 * condition, with the labels that identify the condition (`identity`, hashed into the fingerprint, never clipped).
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
 * Limits that keep one alert (in UTF-8, up to 3 bytes a character) near 130 KB at most: below SQS's 256 KB message
 * and, with its timeline, DynamoDB's 400 KB item, whatever a source sends.
 */
export const alertLimits = { summary: 1_000, description: 4_000, value: 500, url: 2_000, entries: 32 };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const clipMap = (map: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(map)
      .slice(0, alertLimits.entries)
      .map(([key, value]) => [clip(key, 200), clip(value, alertLimits.value)]),
  );

/** Bounds every free-text field of an alert; identity (fingerprint, eventId) is computed before and never clipped. */
export function boundAlert<A extends Omit<Alert, 'fingerprint'>>(alert: A): A {
  const url = (value: string | undefined) => (value && value.length <= alertLimits.url ? value : undefined);
  return {
    ...alert,
    name: clip(alert.name, 200),
    service: clip(alert.service, 200),
    host: alert.host === undefined ? undefined : clip(alert.host, 200),
    summary: clip(alert.summary, alertLimits.summary),
    description: alert.description === undefined ? undefined : clip(alert.description, alertLimits.description),
    labels: clipMap(alert.labels),
    annotations: clipMap(alert.annotations),
    generatorURL: url(alert.generatorURL),
    runbookURL: url(alert.runbookURL),
    group: alert.group === undefined ? undefined : clip(alert.group, alertLimits.url),
  };
}
