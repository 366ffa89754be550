import { describe, expect, it } from 'vitest';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';
import { memberOf, type StoredIncident } from '../../../lib/incidents/model.js';
import { onWakeup } from '../../../lib/incidents/worker.js';
import { makeAlert } from '../fakes/alerts.js';
import { RecordingMetrics } from '../fakes/metrics.js';
import { workerAround } from '../fakes/worker.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const member = (pod: string) => {
  const alert = makeAlert({ name: 'PodCrash', labels: { alertname: 'PodCrash', pod } });
  return memberOf({
    alertId: `a${pod.padStart(11, '0')}`,
    fingerprint: alert.fingerprint,
    severity: 'warning',
    alert,
    firstSeenAt: iso(t0),
  });
};

/** A member joining the incident as the alert path's one write does. */
const join = async (w: ReturnType<typeof worker>, pod: string, at: string) => {
  const { version, firing } = w.current();
  const change = { members: [member(pod)], removed: [], fields: { firing: firing + 1, updatedAt: at }, unset: [] };
  await w.incidents.applyMembers('9c2e4b1a7d3f', version, { ...change, entries: [] });
};

function worker(fields: Partial<StoredIncident> = {}) {
  const first = member('1');
  const incident: StoredIncident = {
    incidentId: '9c2e4b1a7d3f',
    groupKey: 'g',
    state: 'triggered',
    title: 'PodCrash',
    service: 'api',
    members: { [first.alertId]: first },
    firing: 1,
    resolved: 0,
    plan: {
      routes: ['default'],
      targets: [
        { kind: 'chat', id: 'oc_ops' },
        { kind: 'chat', id: 'oc_dev' },
      ],
      channels: ['card'],
    },
    notifications: {},
    version: 1,
    cardVersions: {},
    openedAt: iso(t0),
    updatedAt: iso(t0),
    timeline: [],
    ...fields,
  };
  return workerAround(incident, { start: t0 });
}

describe('the incident worker', () => {
  it('sends the card to each target once and notes that every card shows the current version', async () => {
    const w = worker();
    await w.wake();
    expect(w.messenger.sends.map((send) => send.target.id)).toEqual(['oc_ops', 'oc_dev']);
    expect(w.current()).toMatchObject({
      notifications: { 'chat:oc_ops': 'om_1', 'chat:oc_dev': 'om_2' },
      cardVersions: { 'chat:oc_ops': 1, 'chat:oc_dev': 1 },
      deliveredVersion: 1,
      announcedAt: iso(t0),
    });
    expect(w.current().deliveryLeaseUntil).toBeUndefined();
    await w.wake();
    expect(w.messenger.sends).toHaveLength(2);
    expect(w.messenger.patches).toHaveLength(0);
  });

  it('coalesces changes that land during a round into one more round two seconds later, not one update each', async () => {
    const w = worker({
      notifications: { 'chat:oc_ops': 'om_ops' },
      cardVersions: { 'chat:oc_ops': 1 },
      announcedAt: iso(t0),
      plan: { routes: [], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
    });
    await join(w, '2', iso(t0));
    const patch = w.messenger.patchCard.bind(w.messenger);
    let round = 0;
    w.messenger.patchCard = async (messageId, card) => {
      // Three more members arrive while the first update is on its way.
      if (round++ === 0) for (const pod of ['3', '4', '5']) await join(w, pod, iso(t0));
      return patch(messageId, card);
    };
    await w.wake();
    expect(w.messenger.patches).toHaveLength(1);
    expect(w.current().deliveryLeaseUntil).toBeUndefined();
    // The next round is a quarter of a second later: queued at once (SQS delays are whole seconds), and the worker
    // that receives it waits out the rest.
    expect(w.wakeups.sent).toEqual([
      { message: { incidentId: '9c2e4b1a7d3f', at: iso(t0 + 250), overtaken: 1 }, delaySeconds: 0 },
    ]);
    await onWakeup(w.wakeups.sent[0]!.message, w.deps);
    expect(w.deps.now()).toBe(iso(t0 + 250));
    expect(w.messenger.patches).toHaveLength(2);
    expect(JSON.stringify(w.messenger.patches[1]!.card)).toContain('5 条触发中');
    expect(w.current()).toMatchObject({ version: 5, deliveredVersion: 5, cardVersions: { 'chat:oc_ops': 5 } });
  });

  it('spaces rounds further apart while changes keep overtaking them: a quarter second, then one, then two', async () => {
    const w = worker({
      notifications: { 'chat:oc_ops': 'om_ops' },
      cardVersions: { 'chat:oc_ops': 1 },
      announcedAt: iso(t0),
    });
    const patch = w.messenger.patchCard.bind(w.messenger);
    let pod = 1;
    w.messenger.patchCard = async (messageId, card) => {
      await join(w, String(++pod), w.deps.now());
      return patch(messageId, card);
    };
    await join(w, String(++pod), iso(t0));
    await w.wake();
    for (let round = 0; round < 3; round++) {
      const { message } = w.wakeups.sent.at(-1)!;
      w.at(Date.parse(message.at) - t0);
      await onWakeup(message, w.deps);
    }
    expect(w.wakeups.sent.map(({ message }) => Date.parse(message.at) - t0)).toEqual([250, 1250, 3250, 5250]);
    expect(w.wakeups.sent.map(({ message }) => message.overtaken)).toEqual([1, 2, 3, 4]);
  });

  it('lets one worker at a time hold an incident; another wakeup leaves the changes to it', async () => {
    const w = worker();
    await Promise.all([w.wake(), w.wake(), w.wake()]);
    expect(w.messenger.sends).toHaveLength(2);
    expect(w.wakeups.sent).toEqual([]); // nothing was due: nobody comes back
  });

  it('tries a failed target again after a delay, without repeating the targets that went through', async () => {
    const w = worker();
    w.messenger.failingChats.add('oc_dev');
    await w.wake();
    expect(w.messenger.sends.map((send) => send.target.id)).toEqual(['oc_ops']);
    expect(w.wakeups.sent).toEqual([
      { message: { incidentId: '9c2e4b1a7d3f', at: iso(t0 + 2000), retries: 1 }, delaySeconds: 2 },
    ]);
    expect(w.current().deliveryLeaseUntil).toBeUndefined();
    w.messenger.failingChats.clear();
    w.at(2000);
    await onWakeup(w.wakeups.sent[0]!.message, w.deps);
    expect(w.messenger.sends.map((send) => send.target.id)).toEqual(['oc_ops', 'oc_dev']);
    expect(w.messenger.patches).toEqual([]);
    expect(w.current().deliveredVersion).toBe(1);
  });

  it('gives up a target that refuses for good until the incident changes, and says so on the timeline', async () => {
    const w = worker();
    const send = w.messenger.sendCard.bind(w.messenger);
    w.messenger.sendCard = async (target, card, key) => {
      if (target.id === 'oc_dev') throw new FeishuApiError('send card', 230002, 'bot is not in the chat', 400);
      return send(target, card, key);
    };
    await w.wake();
    expect(w.wakeups.sent).toEqual([]);
    expect(w.current().deliveredVersion).toBe(1);
    expect(w.current().timeline.find((entry) => entry.event === 'card_failed')).toMatchObject({
      event: 'card_failed',
      detail: expect.stringContaining('chat:oc_dev'),
    });
  });

  it('owes no card for a member nobody is to be told about, until it is unmuted', async () => {
    const w = worker();
    w.current().members.a00000000001!.muted = true;
    await w.wake();
    expect(w.messenger.sends).toEqual([]);
    expect(w.current().announcedAt).toBeUndefined();
    await w.incidents.unmuteMembers('9c2e4b1a7d3f', ['a00000000001'], { at: iso(t0), event: 'unmuted' });
    await w.wake();
    expect(w.messenger.sends).toHaveLength(2);
  });
});

describe('alert→card latency', () => {
  const wakeup = (receivedAt: number) => ({ incidentId: '9c2e4b1a7d3f', at: iso(t0), receivedAt: iso(receivedAt) });

  it('is reported by the round that brings the cards up to date, from when the alert was received', async () => {
    const w = worker();
    const metrics = new RecordingMetrics();
    w.deps.metrics = metrics;
    await onWakeup(wakeup(t0 - 250), w.deps);
    expect(w.messenger.sends).toHaveLength(2);
    expect(metrics.values('AlertToCard')).toEqual([250]);
  });

  it('goes on to the retry when no card went out, which reports the whole wait', async () => {
    const w = worker();
    const metrics = new RecordingMetrics();
    w.deps.metrics = metrics;
    w.messenger.failingChats.add('oc_ops').add('oc_dev');
    await onWakeup(wakeup(t0 - 250), w.deps);
    expect(metrics.values('AlertToCard')).toEqual([]);
    expect(w.wakeups.sent[0]!.message).toMatchObject({ retries: 1, receivedAt: iso(t0 - 250) });
    w.messenger.failingChats.clear();
    w.at(2000);
    await onWakeup(w.wakeups.sent[0]!.message, w.deps);
    expect(metrics.values('AlertToCard')).toEqual([2250]);
  });

  it('is not reported when no card is owed', async () => {
    const w = worker();
    const metrics = new RecordingMetrics();
    w.deps.metrics = metrics;
    w.current().members.a00000000001!.muted = true;
    await onWakeup(wakeup(t0 - 250), w.deps);
    expect(metrics.added).toEqual([]);
    expect(w.wakeups.sent).toEqual([]);
  });
});
