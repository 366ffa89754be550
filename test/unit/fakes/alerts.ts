import { fingerprint } from '../../../lib/alerts/fingerprint.js';
import { alertSchema, type Alert } from '../../../lib/alerts/model.js';

let sequence = 0;

/** A valid normalised alert (checked against the model's schema); fingerprint follows the labels unless given. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  sequence += 1;
  const labels = overrides.labels ?? {
    alertname: 'HighErrorRate',
    service: 'api',
    instance: 'api-1:9100',
    severity: overrides.severity ?? 'warning',
  };
  return alertSchema.parse({
    eventId: `evt-${sequence}`,
    source: 'alertmanager',
    fingerprint: fingerprint('alertmanager', labels),
    status: 'firing',
    severity: 'warning',
    name: labels.alertname ?? 'HighErrorRate',
    service: 'api',
    host: 'api-1:9100',
    summary: 'API 5xx rate above 5%',
    labels,
    annotations: {},
    startsAt: '2026-03-02T02:58:00.000Z',
    receivedAt: '2026-03-02T03:00:00.000Z',
    ...overrides,
  });
}

/** The same condition reported again by a new event (a new delivery from the source, not an SQS redelivery). */
export function nextEvent(alert: Alert, overrides: Partial<Alert> = {}): Alert {
  sequence += 1;
  return { ...alert, eventId: `evt-${sequence}`, ...overrides };
}
