import { describe, expect, it } from 'vitest';
import { alertSchema } from '../../../../lib/alerts/model.js';
import { fromAlertmanager } from '../../../../lib/alerts/sources/alertmanager.js';
import { toAlerts } from '../../../../lib/alerts/ingest.js';
import { paths, rejected400 } from '../../fakes/rejections.js';

const receivedAt = '2026-03-02T03:00:00.000Z';

interface AmAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface Payload {
  [field: string]: unknown;
  alerts: AmAlert[];
}

/** What Alertmanager 0.25+ posts to a webhook receiver (version 4), with one firing and one resolved alert. */
function webhook(): Payload {
  return {
    receiver: 'openclaw',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'HighErrorRate',
          instance: 'api-1:9100',
          job: 'api',
          service: 'checkout',
          severity: 'critical',
          team: 'payments',
        },
        annotations: {
          summary: '5xx rate is 12% on checkout',
          description: 'Error ratio above 5% for 10 minutes.',
          runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
        },
        startsAt: '2026-03-02T02:50:12.345+08:00',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05&g0.tab=1',
        fingerprint: 'c6d9b5e2a1f3f0aa',
      },
      {
        status: 'resolved',
        labels: { alertname: 'DiskFilling', instance: 'db-1:9100', job: 'node', severity: 'warning' },
        annotations: { summary: 'Disk /var will be full in 4h' },
        startsAt: '2026-03-02T01:00:00Z',
        endsAt: '2026-03-02T02:55:00Z',
        generatorURL: '',
        fingerprint: '0f1e2d3c4b5a6978',
      },
    ],
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
  };
}

function withAlert(change: Partial<AmAlert>, labels?: Record<string, string>): Payload {
  const payload = webhook();
  const alert = { ...payload.alerts[0]!, ...change };
  if (labels) alert.labels = labels;
  payload.alerts = [alert];
  return payload;
}

const badRequest = (body: unknown) => rejected400(() => toAlerts(fromAlertmanager(body, receivedAt)));

describe('fromAlertmanager', () => {
  it('normalises a firing alert: names, service, host, summary, description, runbook, links and times', () => {
    const [firing] = toAlerts(fromAlertmanager(webhook(), receivedAt));
    expect(alertSchema.parse(firing)).toEqual(firing);
    expect(firing).toMatchObject({
      source: 'alertmanager',
      status: 'firing',
      severity: 'critical',
      name: 'HighErrorRate',
      service: 'checkout',
      host: 'api-1:9100',
      summary: '5xx rate is 12% on checkout',
      description: 'Error ratio above 5% for 10 minutes.',
      runbookURL: 'https://runbooks.example.com/checkout/high-error-rate',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05&g0.tab=1',
      startsAt: '2026-03-01T18:50:12.345Z',
      receivedAt,
    });
    expect(firing!.labels.team).toBe('payments');
    expect(firing!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('treats endsAt 0001-01-01 of a firing alert as no end', () => {
    const [firing] = toAlerts(fromAlertmanager(webhook(), receivedAt));
    expect(firing!.endsAt).toBeUndefined();
  });

  it('keeps endsAt of a resolved alert and drops an empty generatorURL', () => {
    const [, resolved] = toAlerts(fromAlertmanager(webhook(), receivedAt));
    expect(resolved).toMatchObject({
      status: 'resolved',
      name: 'DiskFilling',
      endsAt: '2026-03-02T02:55:00.000Z',
      severity: 'warning',
    });
    expect(resolved!.generatorURL).toBeUndefined();
  });

  it('takes the status of each alert, not of the group', () => {
    const alerts = toAlerts(fromAlertmanager(webhook(), receivedAt));
    expect(alerts.map((alert) => alert.status)).toEqual(['firing', 'resolved']);
  });

  it('gives every alert of a delivery its own event id', () => {
    const alerts = toAlerts(fromAlertmanager(webhook(), receivedAt));
    expect(new Set(alerts.map((alert) => alert.eventId)).size).toBe(2);
  });

  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['CRITICAL', 'critical'],
    ['warning', 'warning'],
    ['info', 'info'],
    ['none', 'info'],
    ['sev-unknown', 'warning'],
  ] as const)('maps severity label %s to %s', (label, severity) => {
    const [alert] = toAlerts(fromAlertmanager(withAlert({}, { alertname: 'X', severity: label }), receivedAt));
    expect(alert!.severity).toBe(severity);
  });

  it('counts an alert without a severity label as warning', () => {
    const [alert] = toAlerts(fromAlertmanager(withAlert({}, { alertname: 'X', job: 'api' }), receivedAt));
    expect(alert!.severity).toBe('warning');
  });

  it('derives service from service, then app, job, namespace, and host from host, instance, node, pod', () => {
    const one = (labels: Record<string, string>) =>
      toAlerts(fromAlertmanager(withAlert({}, { alertname: 'X', ...labels }), receivedAt))[0]!;
    expect(one({ job: 'node', app: 'web', namespace: 'prod' }).service).toBe('web');
    expect(one({ job: 'node', namespace: 'prod' }).service).toBe('node');
    expect(one({ namespace: 'prod' }).service).toBe('prod');
    expect(one({}).service).toBe('unknown');
    expect(one({ instance: '10.0.0.1:9100', pod: 'api-7d9' }).host).toBe('10.0.0.1:9100');
    expect(one({ pod: 'api-7d9' }).host).toBe('api-7d9');
    expect(one({}).host).toBeUndefined();
  });

  it('falls back to the alert name when there is no summary annotation', () => {
    const [alert] = toAlerts(fromAlertmanager(withAlert({ annotations: {} }), receivedAt));
    expect(alert!.summary).toBe('HighErrorRate');
    expect(alert!.runbookURL).toBeUndefined();
  });

  it('gives the same fingerprint for the same label set in any key order (HA peers)', () => {
    const labels = { alertname: 'HighErrorRate', instance: 'api-1:9100', job: 'api', severity: 'critical' };
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    const [fromPeerA] = toAlerts(fromAlertmanager(withAlert({}, labels), receivedAt));
    const [fromPeerB] = toAlerts(
      fromAlertmanager(withAlert({ fingerprint: 'something-else' }, reversed), '2026-03-02T03:00:01.000Z'),
    );
    expect(fromPeerB!.fingerprint).toBe(fromPeerA!.fingerprint);
    expect(fromPeerB!.eventId).not.toBe(fromPeerA!.eventId);
  });

  it('gives a different fingerprint when one label differs', () => {
    const labels = { alertname: 'HighErrorRate', instance: 'api-1:9100', job: 'api' };
    const [one] = toAlerts(fromAlertmanager(withAlert({}, labels), receivedAt));
    const [other] = toAlerts(fromAlertmanager(withAlert({}, { ...labels, instance: 'api-2:9100' }), receivedAt));
    const [extra] = toAlerts(fromAlertmanager(withAlert({}, { ...labels, env: 'prod' }), receivedAt));
    expect(other!.fingerprint).not.toBe(one!.fingerprint);
    expect(extra!.fingerprint).not.toBe(one!.fingerprint);
  });

  it('keeps the fingerprint when only annotations, times or status change', () => {
    const [firing] = toAlerts(fromAlertmanager(webhook(), receivedAt));
    const [resolved] = toAlerts(
      fromAlertmanager(
        withAlert({ status: 'resolved', endsAt: '2026-03-02T03:10:00Z', annotations: { summary: 'now 0%' } }),
        receivedAt,
      ),
    );
    expect(resolved!.fingerprint).toBe(firing!.fingerprint);
  });

  it('rejects a payload without alerts with a 400 naming alerts', () => {
    const { alerts: _, ...body } = webhook();
    const error = badRequest(body);
    expect(error.statusCode).toBe(400);
    expect(paths(error)).toContain('alerts');
  });

  it('rejects an empty alerts array', () => {
    expect(paths(badRequest({ ...webhook(), alerts: [] }))).toContain('alerts');
  });

  it('rejects an alert without labels.alertname, naming that alert', () => {
    const error = badRequest(withAlert({}, { job: 'api' }));
    expect(error.statusCode).toBe(400);
    expect(error.details).toContainEqual({ path: 'alerts[0].labels.alertname', message: 'required' });
  });

  it('rejects webhook version 3', () => {
    expect(paths(badRequest({ ...webhook(), version: '3' }))).toEqual(['version']);
  });

  it('rejects an unknown alert status and a startsAt that is not a time, naming both', () => {
    const payload = withAlert({ status: 'pending', startsAt: 'yesterday' });
    expect(paths(badRequest(payload))).toEqual(expect.arrayContaining(['alerts[0].status', 'alerts[0].startsAt']));
  });

  it('rejects non-string label values', () => {
    const payload = webhook();
    (payload.alerts[1]!.labels as Record<string, unknown>).port = 9100;
    expect(paths(badRequest(payload))).toContain('alerts[1].labels.port');
  });

  it('rejects a body that is not an object', () => {
    expect(badRequest('alerts').statusCode).toBe(400);
    expect(badRequest(null).statusCode).toBe(400);
  });
});
