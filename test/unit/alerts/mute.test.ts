import { describe, expect, it } from 'vitest';
import type { AlertingConfig } from '../../../lib/alerts/config.js';
import type { ForwardedAlert } from '../../../lib/alerts/dedup.js';
import type { InhibitRule } from '../../../lib/alerts/inhibition.js';
import { parseMatcher } from '../../../lib/alerts/matchers.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { runAlertPath } from '../../../lib/alerts/pipeline.js';
import type { Silence } from '../../../lib/alerts/silences.js';
import { describeMute, mute, muteChecker } from '../../../lib/alerts/stages/mute.js';
import { route } from '../../../lib/alerts/stages/route.js';
import type { AlertEvent, AlertPathContext } from '../../../lib/alerts/stages/stage.js';
import { makeAlert } from '../fakes/alerts.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { recordingLogger } from '../fakes/logger.js';

const now = Date.parse('2026-03-02T03:00:00Z');
const HOUR = 3600_000;

const silence = (id: string, matchers: string[]): Silence => ({
  id,
  matchers,
  startsAt: new Date(now - HOUR).toISOString(),
  endsAt: new Date(now + HOUR).toISOString(),
  createdBy: { openId: 'ou_li' },
  reason: '',
  createdAt: new Date(now - HOUR).toISOString(),
});
const serviceDown: InhibitRule = {
  name: 'service-down-mutes-warnings',
  source: ['alertname=ServiceDown', 'severity=critical'].map(parseMatcher),
  target: ['severity=warning'].map(parseMatcher),
  equal: ['service'],
};
const alertOf = (name: string, severity: Alert['severity'], service: string) =>
  makeAlert({ name, severity, service, labels: { alertname: name, service } });

/** Sources that count their reads, as the batch would make them. */
function sources(silences: Silence[], firing: Alert[]) {
  const reads = { silences: 0, firing: 0 };
  return {
    reads,
    silences: async () => (reads.silences++, silences),
    firing: async () => (reads.firing++, firing),
  };
}

const config: AlertingConfig = {
  dedup: { defaultSeconds: 300, bySeverity: {} },
  collaboration: { warRoomSeverities: ['critical'] },
  routes: [{ name: 'default', matchers: [], chats: ['oc_ops'], users: [], team: undefined, continue: false }],
  teams: new Map(),
  policies: new Map(),
  inhibitRules: [serviceDown],
  reminderIntervalSeconds: 3600,
  flapping: { changes: 4, windowSeconds: 600 },
};
const context = (
  muteReason?: AlertPathContext['muteReason'],
  repo = new MemoryAlertRepository(),
): AlertPathContext => ({
  repo,
  incidents: new MemoryIncidentRepository(),
  config,
  notifiers: [],
  log: recordingLogger(),
  now: () => now,
  muteReason,
});
const forwarded = (alert: Alert): ForwardedAlert => ({ alert, decision: 'open', count: 1 });

describe('muteChecker', () => {
  it('names the silence that mutes an alert, reading silences once for the whole batch', async () => {
    const read = sources([silence('other', ['service=orders']), silence('pay', ['service=payments'])], []);
    const check = muteChecker(read, [], now);
    expect(await check(alertOf('HighLatency', 'warning', 'payments'))).toMatchObject({
      kind: 'silence',
      silence: { id: 'pay' },
    });
    expect(await check(alertOf('HighLatency', 'warning', 'catalog'))).toBeUndefined();
    expect(read.reads).toEqual({ silences: 1, firing: 0 });
  });

  it('names the rule and the firing source that inhibit an alert, reading firing alerts only when a rule could apply', async () => {
    const down = alertOf('ServiceDown', 'critical', 'search');
    const read = sources([], [down]);
    const check = muteChecker(read, [serviceDown], now);
    expect(await check(alertOf('DiskFull', 'critical', 'search'))).toBeUndefined();
    expect(read.reads.firing).toBe(0);
    const reason = await check(alertOf('SlowQueries', 'warning', 'search'));
    expect(reason).toMatchObject({ kind: 'inhibition', rule: { name: 'service-down-mutes-warnings' }, source: down });
    expect(describeMute(reason!)).toBe('被抑制规则 service-down-mutes-warnings 屏蔽：ServiceDown（search）正在触发');
    await check(alertOf('SlowQueries', 'warning', 'catalog'));
    expect(read.reads).toEqual({ silences: 1, firing: 1 });
  });
});

describe('the mute stage', () => {
  const event = (alert: Alert): AlertEvent => ({ forwarded: forwarded(alert), change: 'open' });

  it('passes a firing event on with the reason it is muted, or as it was', async () => {
    const check = muteChecker(sources([silence('pay', ['service=payments'])], []), [], now);
    const muted = await mute(event(alertOf('HighLatency', 'warning', 'payments')), context(check));
    expect(muted?.mute).toMatchObject({ kind: 'silence', silence: { id: 'pay' } });
    const other = event(alertOf('HighLatency', 'warning', 'catalog'));
    expect(await mute(other, context(check))).toBe(other);
  });

  it('never mutes a resolution, so a card that was sent still turns green', async () => {
    let asked = 0;
    const resolved = event(alertOf('HighLatency', 'warning', 'payments'));
    resolved.forwarded.alert.status = 'resolved';
    const result = await mute(
      resolved,
      context(async () => (asked++, undefined)),
    );
    expect(result).toBe(resolved);
    expect(asked).toBe(0);
  });

  it('runs before routing, which then tells nobody new about a muted alert but keeps its plan', async () => {
    const check = muteChecker(sources([silence('pay', ['service=payments'])], []), [], now);
    const muted = await route(
      (await mute(event(alertOf('A', 'critical', 'payments')), context(check)))!,
      context(check),
    );
    expect(muted).toMatchObject({ plan: { routes: ['default'] }, audience: undefined });
    const told = await route((await mute(event(alertOf('A', 'critical', 'orders')), context(check)))!, context(check));
    expect(told?.audience).toEqual(told?.plan);
  });

  it('keeps a muted alert on the record with its reason, written with the alert itself', async () => {
    const repo = new MemoryAlertRepository();
    let appends = 0;
    const append = repo.appendTimeline.bind(repo);
    repo.appendTimeline = async (...args) => (appends++, append(...args));
    const check = muteChecker(sources([silence('pay', ['service=payments'])], []), [], now);
    const stored = await runAlertPath(forwarded(alertOf('A', 'critical', 'payments')), context(check, repo));
    expect(stored?.timeline.map((entry) => entry.event)).toEqual(['opened', 'routed', 'muted']);
    expect(stored?.timeline.at(-1)?.detail).toContain('pay');
    expect(appends).toBe(0);
  });
});
