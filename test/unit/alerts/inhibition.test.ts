import { describe, expect, it } from 'vitest';
import { couldBeInhibited, inhibitedBy, sourceAlertNames, type InhibitRule } from '../../../lib/alerts/inhibition.js';
import { parseMatcher } from '../../../lib/alerts/matchers.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { makeAlert } from '../fakes/alerts.js';

const rule = (source: string[], target: string[], equal: string[], name = 'r'): InhibitRule => ({
  name,
  source: source.map(parseMatcher),
  target: target.map(parseMatcher),
  equal,
});
const serviceDown = rule(['alertname=ServiceDown', 'severity=critical'], ['severity=warning'], ['service']);
const alertOf = (name: string, severity: Alert['severity'], service: string, labels: Record<string, string> = {}) =>
  makeAlert({ name, severity, service, labels: { alertname: name, ...labels } });

describe('inhibition', () => {
  const down = alertOf('ServiceDown', 'critical', 'search');

  it('a firing source mutes targets with the same equal labels only', () => {
    expect(inhibitedBy(alertOf('SlowQueries', 'warning', 'search'), [down], [serviceDown])).toMatchObject({
      rule: serviceDown,
      source: down,
    });
    expect(inhibitedBy(alertOf('SlowQueries', 'warning', 'catalog'), [down], [serviceDown])).toBeUndefined();
    expect(inhibitedBy(alertOf('DiskFull', 'critical', 'search'), [down], [serviceDown])).toBeUndefined();
  });

  it('a resolved source mutes nothing', () => {
    expect(
      inhibitedBy(alertOf('SlowQueries', 'warning', 'search'), [{ ...down, status: 'resolved' }], [serviceDown]),
    ).toBeUndefined();
  });

  it('a label missing on both sides counts as equal, missing on one side does not', () => {
    const byCluster = rule(['alertname=ClusterDown'], ['severity=warning'], ['cluster']);
    const source = alertOf('ClusterDown', 'critical', 'k8s');
    expect(inhibitedBy(alertOf('PodPending', 'warning', 'k8s'), [source], [byCluster])).toBeDefined();
    expect(
      inhibitedBy(alertOf('PodPending', 'warning', 'k8s', { cluster: 'a' }), [source], [byCluster]),
    ).toBeUndefined();
  });

  it('an alert never inhibits itself, and two alerts matching both sides do not mute each other', () => {
    const both = rule(['alertname=Flapping'], ['alertname=Flapping'], ['service']);
    const a = alertOf('Flapping', 'warning', 'api', { instance: 'a' });
    const b = alertOf('Flapping', 'warning', 'api', { instance: 'b' });
    expect(inhibitedBy(a, [a], [both])).toBeUndefined();
    expect(inhibitedBy(a, [b], [both])).toBeUndefined();
  });

  it('tells when no rule could apply, so firing alerts need not be read', () => {
    expect(couldBeInhibited(alertOf('X', 'critical', 'api'), [serviceDown])).toBe(false);
    expect(couldBeInhibited(alertOf('X', 'warning', 'api'), [serviceDown])).toBe(true);
  });

  it('names the possible sources when every rule names its source alert, so only those are read', () => {
    expect(sourceAlertNames([serviceDown, rule(['alertname=ClusterDown'], ['severity=warning'], [])])).toEqual([
      'ServiceDown',
      'ClusterDown',
    ]);
    expect(sourceAlertNames([serviceDown, rule(['severity=critical'], ['severity=warning'], [])])).toBeUndefined();
    expect(sourceAlertNames([])).toEqual([]);
  });
});
