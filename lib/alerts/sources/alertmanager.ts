import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { alertFields, alertLimits, atMost, meaningfulTime, normaliseSeverity, type AlertDraft } from '../model.js';
import { capAlerts, parsePayload } from './parse.js';
import { bearerToken, type AlertSourceDefinition } from './source.js';

const labels = z.record(z.string(), z.string());

/** Alertmanager webhook payload, version 4. What is stored is bounded (`alertFields`); the rest is only read. */
export const alertmanagerPayload = z.object({
  version: z.literal('4'),
  groupKey: alertFields.url,
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels,
  externalURL: z.string(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        // alertname is the alert's name, bounded as a name.
        labels: alertFields.labels.superRefine(({ alertname }, ctx) => {
          if (!alertname) ctx.addIssue({ code: 'custom', path: ['alertname'], message: 'required' });
          else if (alertname.length > alertLimits.name)
            ctx.addIssue({ code: 'custom', path: ['alertname'], message: atMost(alertLimits.name) });
        }),
        annotations: alertFields.annotations.default({}),
        startsAt: z
          .string()
          .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'startsAt is not a timestamp' }),
        endsAt: z.string().optional(),
        generatorURL: alertFields.url.optional(),
        fingerprint: z.string().optional(),
      }),
    )
    .min(1),
});

const first = (source: Record<string, string>, keys: string[]) => keys.map((key) => source[key]).find((value) => value);

export function fromAlertmanager(body: unknown, receivedAt: string): AlertDraft[] {
  capAlerts(body, 'set max_alerts in its webhook_configs');
  const payload = parsePayload(alertmanagerPayload, body, 'Alertmanager webhook');
  return payload.alerts.map((alert) => {
    const { labels, annotations } = alert;
    return {
      eventId: randomUUID(),
      source: 'alertmanager',
      // The label set, hashed by us: equal to what every HA peer sends, and independent of Alertmanager's version.
      identity: labels,
      status: alert.status,
      severity: normaliseSeverity(first(labels, ['severity', 'priority', 'level'])),
      name: labels.alertname!,
      service: first(labels, ['service', 'app', 'job', 'namespace']) ?? 'unknown',
      host: first(labels, ['host', 'instance', 'node', 'pod', 'hostname']),
      summary: first(annotations, ['summary', 'message', 'title']) ?? labels.alertname!,
      description: first(annotations, ['description', 'details']),
      labels,
      annotations,
      startsAt: meaningfulTime(alert.startsAt) ?? receivedAt,
      endsAt: alert.status === 'resolved' ? meaningfulTime(alert.endsAt) : undefined,
      generatorURL: alert.generatorURL || undefined,
      runbookURL: first(annotations, ['runbook_url', 'runbook', 'runbookURL']),
      // Alertmanager already grouped these: the group is the incident.
      group: payload.groupKey,
      receivedAt,
    } satisfies AlertDraft;
  });
}

/** Prometheus Alertmanager's webhook (`webhook_configs`), with a bearer token or basic auth whose password is it. */
export const alertmanager: AlertSourceDefinition = {
  name: 'alertmanager',
  authenticate: bearerToken,
  parse: async (delivery) => fromAlertmanager(delivery.json(), delivery.receivedAt),
};
