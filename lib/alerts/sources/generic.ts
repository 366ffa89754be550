import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { alertFields, meaningfulTime, type AlertDraft } from '../model.js';
import { severities } from '../severity.js';
import { capAlerts, parsePayload } from './parse.js';
import { bearerToken, type AlertSourceDefinition } from './source.js';

const timestamp = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not an ISO 8601 timestamp' });

/** The generic JSON alert: for scripts, cron jobs and tools with no native integration. Documented in the README. */
export const genericAlert = z.object({
  name: alertFields.name,
  status: z.enum(['firing', 'resolved']).default('firing'),
  severity: z.enum(severities).default('warning'),
  service: alertFields.value.min(1),
  host: alertFields.value.optional(),
  summary: alertFields.summary.min(1),
  description: alertFields.text.optional(),
  labels: alertFields.labels.default({}),
  annotations: alertFields.annotations.default({}),
  startsAt: timestamp.optional(),
  endsAt: timestamp.optional(),
  url: alertFields.url.pipe(z.url()).optional(),
  runbookURL: alertFields.url.pipe(z.url()).optional(),
  /** Alerts with the same group are one incident; without it, the route's groupBy labels or name + service decide. */
  group: alertFields.url.min(1).optional(),
  /**
   * Alerts with the same dedupKey are one condition; without it, name + service + host + labels identify it. Only its
   * hash is kept.
   */
  dedupKey: z.string().min(1).max(500).optional(),
});

/** Several alerts in one delivery (at most MAX_ALERTS_PER_DELIVERY); a body without `alerts` is one alert. */
export const genericBatch = z.object({ alerts: z.array(genericAlert).min(1) });

export function fromGeneric(body: unknown, receivedAt: string): AlertDraft[] {
  // Choosing the form first (rather than a union) lets a 400 name the exact bad field.
  capAlerts(body, 'send them in several deliveries');
  const alerts =
    typeof body === 'object' && body !== null && 'alerts' in body
      ? parsePayload(genericBatch, body, 'generic alert').alerts
      : [parsePayload(genericAlert, body, 'generic alert')];
  return alerts.map((alert) => {
    const identity: Record<string, string> = alert.dedupKey
      ? { dedupKey: alert.dedupKey }
      : { ...alert.labels, alertname: alert.name, service: alert.service, host: alert.host ?? '' };
    return {
      eventId: randomUUID(),
      source: 'generic',
      identity,
      status: alert.status,
      severity: alert.severity,
      name: alert.name,
      service: alert.service,
      host: alert.host,
      summary: alert.summary,
      description: alert.description,
      labels: {
        ...alert.labels,
        alertname: alert.name,
        service: alert.service,
        ...(alert.host ? { host: alert.host } : {}),
      },
      annotations: alert.annotations,
      startsAt: meaningfulTime(alert.startsAt) ?? receivedAt,
      endsAt: alert.status === 'resolved' ? (meaningfulTime(alert.endsAt) ?? receivedAt) : undefined,
      generatorURL: alert.url,
      runbookURL: alert.runbookURL,
      group: alert.group,
      receivedAt,
    } satisfies AlertDraft;
  });
}

/** Anything that can POST JSON: one alert, or `{"alerts": [...]}`, with a bearer token. */
export const generic: AlertSourceDefinition = {
  name: 'generic',
  authenticate: bearerToken,
  parse: async (delivery) => fromGeneric(delivery.json(), delivery.receivedAt),
};
