import { describe, expect, it } from 'vitest';
import {
  decide,
  dedupAlerts,
  dedupWindowMs,
  type DedupWindows,
  type ForwardedAlert,
} from '../../../lib/alerts/dedup.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { makeAlert, nextEvent } from '../fakes/alerts.js';
import { MemoryDedupStore } from '../fakes/dedup-store.js';

const MINUTE = 60_000;
const t0 = Date.parse('2026-03-02T03:00:00Z');
const windows: DedupWindows = { defaultSeconds: 300, bySeverity: { critical: 120 } };

/** The dedup step with a clock the test moves, forwarding into a list (or failing when told to). */
function pipeline() {
  const store = new MemoryDedupStore();
  const delivered: ForwardedAlert[] = [];
  let clock = t0;
  let failNext = false;
  const run = async (...alerts: Alert[]) =>
    dedupAlerts(alerts, {
      store,
      windows,
      now: () => clock,
      forward: async (items) => {
        if (failNext) {
          failNext = false;
          return items.map((_, index) => index);
        }
        delivered.push(...items);
        return [];
      },
    });
  /** One alert through the step: its decision ('repeat' if it was only counted). */
  const decision = async (alert: Alert) => {
    const result = await run(alert);
    return result.forwarded[0]?.decision ?? (result.failed.length ? 'failed' : 'repeat');
  };
  return {
    store,
    delivered,
    run,
    decision,
    at: (ms: number) => (clock = t0 + ms),
    failNextForward: () => (failNext = true),
    count: (alert: Alert) => store.items.get(alert.fingerprint)?.count,
  };
}

describe('decide', () => {
  const seen = (previousStatus: 'firing' | 'resolved' | 'none', previousWindowEndsAt = 0, observedAt = t0) => ({
    previousStatus,
    previousWindowEndsAt,
    observedAt,
    count: 2,
    replay: false,
  });

  it('opens a firing alert never seen, or seen resolved', () => {
    expect(decide('firing', seen('none'))).toBe('open');
    expect(decide('firing', seen('resolved', t0 + MINUTE))).toBe('open');
  });

  it('only counts a firing alert still inside its window, and reminds once the window has closed', () => {
    expect(decide('firing', seen('firing', t0 + 1))).toBe('repeat');
    expect(decide('firing', seen('firing', t0))).toBe('remind');
    expect(decide('firing', seen('firing', t0 - 1))).toBe('remind');
  });

  it('resolves unless the resolution was already seen', () => {
    expect(decide('resolved', seen('firing', t0 + MINUTE))).toBe('resolve');
    expect(decide('resolved', seen('none'))).toBe('resolve');
    expect(decide('resolved', seen('resolved', t0 + MINUTE))).toBe('repeat');
  });
});

describe('dedupWindowMs', () => {
  it('uses the severity window when there is one, else the default', () => {
    expect(dedupWindowMs(windows, 'critical')).toBe(120_000);
    expect(dedupWindowMs(windows, 'warning')).toBe(300_000);
  });
});

describe('dedupAlerts', () => {
  it('opens the first firing of a condition and forwards it with count 1', async () => {
    const p = pipeline();
    const alert = makeAlert();
    const result = await p.run(alert);
    expect(result).toEqual({ forwarded: [{ alert, decision: 'open', count: 1 }], failed: [], repeats: 0 });
    expect(p.delivered).toEqual([{ alert, decision: 'open', count: 1 }]);
  });

  it('a repeat inside the dedup window is only counted', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(2 * MINUTE);
    const result = await p.run(nextEvent(alert));
    expect(result).toEqual({ forwarded: [], failed: [], repeats: 1 });
    expect(p.delivered).toHaveLength(1);
    expect(p.count(alert)).toBe(2);
  });

  it('a repeat after a whole window of silence is a reminder, with the running count', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(5 * MINUTE);
    const result = await p.run(nextEvent(alert));
    expect(result.forwarded).toEqual([
      { alert: expect.objectContaining({ fingerprint: alert.fingerprint }), decision: 'remind', count: 2 },
    ]);
  });

  it('only counts repeats inside a window, and refreshes at the first repeat past each window since the start', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.decision(alert);
    p.at(4 * MINUTE);
    expect(await p.decision(nextEvent(alert))).toBe('repeat');
    p.at(8 * MINUTE);
    expect(await p.decision(nextEvent(alert))).toBe('remind'); // past 5 min since the start
    p.at(9 * MINUTE);
    expect(await p.decision(nextEvent(alert))).toBe('repeat');
    p.at(13 * MINUTE);
    expect(await p.decision(nextEvent(alert))).toBe('remind'); // past 10 min
  });

  it('resolves a firing alert, and only counts the same resolution sent again', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(MINUTE);
    expect(await p.decision(nextEvent(alert, { status: 'resolved' }))).toBe('resolve');
    p.at(2 * MINUTE);
    expect(await p.decision(nextEvent(alert, { status: 'resolved' }))).toBe('repeat');
    expect(p.count(alert)).toBe(3);
  });

  it('opens again when a resolved condition fires again, even inside the window', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(MINUTE);
    await p.run(nextEvent(alert, { status: 'resolved' }));
    p.at(MINUTE + 1000);
    expect(await p.decision(nextEvent(alert))).toBe('open');
  });

  it('uses the window of the alert severity', async () => {
    const p = pipeline();
    const critical = makeAlert({ severity: 'critical', labels: { alertname: 'Down', severity: 'critical' } });
    const warning = makeAlert({ severity: 'warning', labels: { alertname: 'Slow', severity: 'warning' } });
    await p.run(critical, warning);
    p.at(2 * MINUTE);
    expect(await p.decision(nextEvent(critical))).toBe('remind');
    expect(await p.decision(nextEvent(warning))).toBe('repeat');
  });

  it('handles each alert of a batch on its own and reports the repeats', async () => {
    const p = pipeline();
    const a = makeAlert({ labels: { alertname: 'A' } });
    const b = makeAlert({ labels: { alertname: 'B' } });
    await p.run(a);
    p.at(MINUTE);
    const result = await p.run(nextEvent(a), b);
    expect(result.repeats).toBe(1);
    expect(result.forwarded.map((item) => [item.alert.name, item.decision])).toEqual([['B', 'open']]);
  });

  it('gives a redelivered event (SQS replay) the same decision and does not count it twice', async () => {
    const p = pipeline();
    const alert = makeAlert();
    const first = await p.run(alert);
    p.at(30_000);
    const replay = await p.run(alert);
    expect(replay.forwarded).toEqual(first.forwarded);
    expect(p.count(alert)).toBe(1);
    expect(p.store.writes).toBe(1);

    p.at(6 * MINUTE);
    const remind = nextEvent(alert);
    expect(await p.decision(remind)).toBe('remind');
    p.at(6 * MINUTE + 10_000);
    expect(await p.decision(remind)).toBe('remind');
    expect(p.count(alert)).toBe(2);
  });

  it('a replayed repeat is still only counted once and forwarded nowhere', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(MINUTE);
    const repeat = nextEvent(alert);
    expect(await p.decision(repeat)).toBe('repeat');
    expect(await p.decision(repeat)).toBe('repeat');
    expect(p.count(alert)).toBe(2);
  });

  it('reverts the store and reports the alert failed when forwarding fails, so the redelivery opens again', async () => {
    const p = pipeline();
    const alert = makeAlert();
    p.failNextForward();
    const result = await p.run(alert);
    expect(result).toEqual({ forwarded: [], failed: [alert], repeats: 0 });
    expect(p.count(alert)).toBe(0);

    p.at(20_000);
    const redelivery = await p.run(alert);
    expect(redelivery.forwarded).toEqual([{ alert, decision: 'open', count: 1 }]);
    expect(p.delivered).toHaveLength(1);
  });

  it('a failed reminder is judged again as a reminder when it comes back', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(10 * MINUTE);
    const remind = nextEvent(alert);
    p.failNextForward();
    expect((await p.run(remind)).failed).toEqual([remind]);
    p.at(10 * MINUTE + 15_000);
    expect((await p.run(remind)).forwarded).toEqual([{ alert: remind, decision: 'remind', count: 2 }]);
  });

  it('reports only the alerts the forwarder failed and keeps the others', async () => {
    const store = new MemoryDedupStore();
    const a = makeAlert({ labels: { alertname: 'A' } });
    const b = makeAlert({ labels: { alertname: 'B' } });
    const result = await dedupAlerts([a, b], { store, windows, now: () => t0, forward: async () => [1] });
    expect(result.forwarded.map((item) => item.alert)).toEqual([a]);
    expect(result.failed).toEqual([b]);
    expect(store.items.get(a.fingerprint)?.count).toBe(1);
    expect(store.items.get(b.fingerprint)?.count).toBe(0);
  });

  it('does not call the forwarder when everything was a repeat', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.run(alert);
    p.at(MINUTE);
    let called = false;
    const result = await dedupAlerts([nextEvent(alert)], {
      store: p.store,
      windows,
      now: () => t0 + MINUTE,
      forward: async () => {
        called = true;
        return [];
      },
    });
    expect(result.repeats).toBe(1);
    expect(called).toBe(false);
  });

  it('reports an alert whose store write failed, and still handles the rest of the batch', async () => {
    const p = pipeline();
    const healthy = makeAlert({ name: 'Healthy' });
    const broken = makeAlert({ name: 'Broken' });
    const observe = p.store.observe.bind(p.store);
    p.store.observe = async (alert, windowMs, now) => {
      if (alert.eventId === broken.eventId) throw new Error('ProvisionedThroughputExceededException');
      return observe(alert, windowMs, now);
    };
    const errors: string[] = [];
    const result = await dedupAlerts([healthy, broken], {
      store: p.store,
      windows,
      now: () => t0,
      forward: async () => [],
      onError: (alert) => errors.push(alert.eventId),
    });
    expect(result.failed).toEqual([broken]);
    expect(result.forwarded.map((item) => item.alert)).toEqual([healthy]);
    expect(errors).toEqual([broken.eventId]);
  });

  it('does not lose an opening whose forward failed while an HA copy was judged a repeat: it returns as a reminder', async () => {
    const p = pipeline();
    const opening = makeAlert();
    const copy = nextEvent(opening);
    await p.store.observe(opening, 300_000, t0); // peer 1: open, forward still in flight
    await p.store.observe(copy, 300_000, t0 + 1_000); // peer 2: a repeat of it
    await p.store.revert(opening); // peer 1's forward failed
    p.at(2 * MINUTE);
    expect(await p.decision(opening)).toBe('remind'); // its redelivery still reaches the router, which opens the alert
  });

  it('does not lose a resolution whose forward failed while a copy of it was judged a repeat', async () => {
    const p = pipeline();
    const firing = makeAlert();
    await p.run(firing);
    const resolution = nextEvent(firing, { status: 'resolved' });
    await p.store.observe(resolution, 300_000, t0 + MINUTE);
    await p.store.observe(nextEvent(firing, { status: 'resolved' }), 300_000, t0 + MINUTE + 1_000);
    await p.store.revert(resolution);
    p.at(3 * MINUTE);
    expect(await p.decision(resolution)).toBe('resolve');
  });

  it('refreshes a firing that never pauses once per window since it began, and only counts the repeats in between', async () => {
    const p = pipeline();
    const alert = makeAlert();
    expect(await p.decision(alert)).toBe('open');
    const decisions: string[] = [];
    for (let second = 30; second <= 660; second += 30) {
      p.at(second * 1000);
      decisions.push(await p.decision(nextEvent(alert)));
    }
    // window 300 s: the repeats at 300 s and 600 s after the start refresh the card, the other 20 are only counted
    expect(decisions.filter((d) => d === 'remind')).toHaveLength(2);
    expect(decisions[9]).toBe('remind'); // t = 300 s
    expect(decisions[19]).toBe('remind'); // t = 600 s
    expect(decisions.filter((d) => d === 'repeat')).toHaveLength(20);
  });

  it('starts counting windows again from a new firing after a resolution', async () => {
    const p = pipeline();
    const alert = makeAlert();
    await p.decision(alert);
    p.at(4 * MINUTE);
    await p.decision(nextEvent(alert, { status: 'resolved' }));
    p.at(4 * MINUTE + 30_000);
    expect(await p.decision(nextEvent(alert))).toBe('open');
    p.at(5 * MINUTE + 10_000); // 5 min after the first firing, but only 40 s into the new one
    expect(await p.decision(nextEvent(alert))).toBe('repeat');
  });
});
