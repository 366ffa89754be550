import * as z from 'zod';

export const severities = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];

export const alertSources = ['alertmanager', 'cloudwatch', 'generic'] as const;
export type AlertSource = (typeof alertSources)[number];

const labelMap = z.record(z.string(), z.string());

/** One alert event after normalisation: what every source becomes before it is queued. */
export const alertSchema = z.object({
  /** Unique per received event; stable across retries of the same delivery (SNS MessageId, EventBridge id). */
  eventId: z.string().min(1),
  source: z.enum(alertSources),
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
  receivedAt: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

const severityWords: Record<string, Severity> = {
  critical: 'critical', crit: 'critical', page: 'critical', p0: 'critical', p1: 'critical', fatal: 'critical', emergency: 'critical', high: 'critical',
  error: 'warning', warning: 'warning', warn: 'warning', p2: 'warning', p3: 'warning', major: 'warning', minor: 'warning', medium: 'warning',
  info: 'info', informational: 'info', notice: 'info', none: 'info', low: 'info', p4: 'info', p5: 'info', debug: 'info',
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
