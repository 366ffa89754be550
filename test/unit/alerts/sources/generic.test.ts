import { describe, expect, it } from 'vitest';
import { alertSchema } from '../../../../lib/alerts/model.js';
import { fromGeneric } from '../../../../lib/alerts/sources/generic.js';
import { toAlerts } from '../../../../lib/alerts/ingest.js';
import { paths, rejected400 } from '../../fakes/rejections.js';

const receivedAt = '2026-03-02T03:00:00.000Z';

const backup = {
  name: 'NightlyBackupFailed',
  service: 'backup',
  host: 'db-1',
  summary: 'pg_dump exited with 1',
  labels: { env: 'prod' },
};

const rejected = (body: unknown) => rejected400(() => toAlerts(fromGeneric(body, receivedAt)));

describe('fromGeneric', () => {
  it('accepts a single alert object and fills the defaults: firing, warning, starting when received', () => {
    const [alert, ...rest] = toAlerts(fromGeneric(backup, receivedAt));
    expect(rest).toEqual([]);
    expect(alertSchema.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({
      source: 'generic',
      status: 'firing',
      severity: 'warning',
      name: 'NightlyBackupFailed',
      service: 'backup',
      host: 'db-1',
      summary: 'pg_dump exited with 1',
      annotations: {},
      startsAt: receivedAt,
      receivedAt,
      labels: { env: 'prod', alertname: 'NightlyBackupFailed', service: 'backup', host: 'db-1' },
    });
    expect(alert!.endsAt).toBeUndefined();
  });

  it('accepts {alerts:[...]} and returns one alert per entry, in order', () => {
    const alerts = toAlerts(
      fromGeneric({ alerts: [backup, { ...backup, name: 'DiskFull', severity: 'critical' }] }, receivedAt),
    );
    expect(alerts.map((alert) => [alert.name, alert.severity])).toEqual([
      ['NightlyBackupFailed', 'warning'],
      ['DiskFull', 'critical'],
    ]);
    expect(new Set(alerts.map((alert) => alert.eventId)).size).toBe(2);
  });

  it('maps url to generatorURL and keeps runbookURL and a given startsAt', () => {
    const [alert] = toAlerts(
      fromGeneric(
        {
          ...backup,
          url: 'https://ci.example.com/jobs/42',
          runbookURL: 'https://runbooks.example.com/backup',
          startsAt: '2026-03-02T10:00:00+08:00',
        },
        receivedAt,
      ),
    );
    expect(alert).toMatchObject({
      generatorURL: 'https://ci.example.com/jobs/42',
      runbookURL: 'https://runbooks.example.com/backup',
      startsAt: '2026-03-02T02:00:00.000Z',
    });
  });

  it('ends a resolved alert at endsAt, or when received if endsAt is absent', () => {
    const [withEnd] = toAlerts(
      fromGeneric({ ...backup, status: 'resolved', endsAt: '2026-03-02T02:59:00Z' }, receivedAt),
    );
    const [withoutEnd] = toAlerts(fromGeneric({ ...backup, status: 'resolved' }, receivedAt));
    expect(withEnd!.endsAt).toBe('2026-03-02T02:59:00.000Z');
    expect(withoutEnd!.endsAt).toBe(receivedAt);
  });

  it('identifies the condition by name, service, host and labels when there is no dedupKey', () => {
    const fp = (body: object) => toAlerts(fromGeneric(body, receivedAt))[0]!.fingerprint;
    expect(fp({ ...backup, summary: 'another text', severity: 'critical' })).toBe(fp(backup));
    expect(fp({ ...backup, host: 'db-2' })).not.toBe(fp(backup));
    expect(fp({ ...backup, labels: { env: 'staging' } })).not.toBe(fp(backup));
    expect(fp({ ...backup, name: 'Other' })).not.toBe(fp(backup));
  });

  it('identifies the condition by dedupKey alone when one is given', () => {
    const fp = (body: object) => toAlerts(fromGeneric(body, receivedAt))[0]!.fingerprint;
    const keyed = { ...backup, dedupKey: 'backup/db-1' };
    expect(fp({ ...keyed, name: 'Renamed', host: 'db-9', labels: { env: 'x' } })).toBe(fp(keyed));
    expect(fp({ ...keyed, dedupKey: 'backup/db-2' })).not.toBe(fp(keyed));
    expect(fp(keyed)).not.toBe(fp(backup));
  });

  it('rejects an empty alerts array', () => {
    expect(paths(rejected({ alerts: [] }))).toContain('alerts');
  });

  it('rejects a body that is not an object, saying the body itself is what is wrong', () => {
    expect(rejected('disk full').details).toEqual([
      { path: '(body)', message: 'Invalid input: expected object, received string' },
    ]);
    expect(rejected([backup]).details).toEqual([
      { path: '(body)', message: 'Invalid input: expected object, received array' },
    ]);
  });

  // The contract of parsePayload (lib/alerts/sources/parse.ts) and the API: a 400 names every bad field.
  it('names the missing fields of a single alert in the 400', () => {
    const error = rejected({ name: 'NightlyBackupFailed' });
    expect(paths(error)).toEqual(expect.arrayContaining(['service', 'summary']));
  });

  it('names a bad severity and a bad url in the 400', () => {
    const error = rejected({ ...backup, severity: 'urgent', url: 'not a url' });
    expect(paths(error)).toEqual(expect.arrayContaining(['severity', 'url']));
  });

  it('names the bad field of the bad entry of {alerts:[...]} in the 400', () => {
    const error = rejected({ alerts: [backup, { name: 'x', service: 'y' }] });
    expect(paths(error)).toContain('alerts[1].summary');
  });
});
