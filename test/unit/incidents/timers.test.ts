import { describe, expect, it } from 'vitest';
import type { Team } from '../../../lib/alerts/oncall.js';
import type { EscalationPolicy } from '../../../lib/incidents/escalation.js';
import { memberOf, type StoredIncident } from '../../../lib/incidents/model.js';
import { sweepTimers } from '../../../lib/incidents/sweep.js';
import { BudgetSpent } from '../../../lib/feishu/paced-messenger.js';
import { MAX_PAGE_ATTEMPTS } from '../../../lib/incidents/paging.js';
import { runDue } from '../../../lib/incidents/timers.js';
import { onWakeup } from '../../../lib/incidents/worker.js';
import { makeAlert } from '../fakes/alerts.js';
import type { RecordingMessenger } from '../fakes/messenger.js';
import { workerAround } from '../fakes/worker.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const sre: Team = {
  name: 'sre',
  rotation: {
    members: [
      { name: '张伟', openId: 'ou_zhang' },
      { name: '李娜', openId: 'ou_li' },
      { name: '王强', openId: 'ou_wang' },
    ],
    handoffAt: t0 - MINUTE,
    shiftMs: 7 * 86_400_000,
    overrides: [],
  },
};

/** L1 the on-call now; L2 the next on-call and the lead after 5 min; L3 a manager by phone after 15 min; once more. */
const standard: EscalationPolicy = {
  name: 'standard',
  severities: ['critical'],
  levels: [
    { name: 'L1', afterMs: 0, targets: [{ kind: 'oncall' }], channels: ['card', 'urgent_app', 'urgent_phone'] },
    {
      name: 'L2',
      afterMs: 5 * MINUTE,
      targets: [{ kind: 'next_oncall' }, { kind: 'person', person: { name: '赵磊', openId: 'ou_lead' } }],
      channels: ['card', 'urgent_app'],
    },
    {
      name: 'L3',
      afterMs: 15 * MINUTE,
      targets: [{ kind: 'person', person: { name: '孙总', openId: 'ou_boss' } }],
      channels: ['card', 'urgent_phone'],
    },
  ],
  repeat: { times: 1, afterMs: 10 * MINUTE },
};

function incident(fields: Partial<StoredIncident> = {}): StoredIncident {
  const alert = makeAlert({ severity: 'critical', name: 'ApiDown', labels: { alertname: 'ApiDown' } });
  const member = memberOf({
    alertId: 'a00000000001',
    fingerprint: alert.fingerprint,
    severity: 'critical',
    alert,
    firstSeenAt: iso(t0),
  });
  return {
    incidentId: '9c2e4b1a7d3f',
    groupKey: 'default:alertname=ApiDown,service=api',
    state: 'triggered',
    title: 'ApiDown',
    service: 'api',
    members: { [member.alertId]: member },
    firing: 1,
    resolved: 0,
    plan: {
      routes: ['default'],
      targets: [{ kind: 'chat', id: 'oc_ops' }],
      team: 'sre',
      escalation: 'standard',
      channels: ['card'],
    },
    notifications: { 'chat:oc_ops': 'om_chat' },
    version: 1,
    openedAt: iso(t0),
    updatedAt: iso(t0),
    remindAt: iso(t0 + 60 * MINUTE),
    timeline: [],
    ...fields,
  };
}

function timers(fields: Partial<StoredIncident> = {}) {
  return workerAround(incident(fields), {
    start: t0,
    teams: new Map([['sre', sre]]),
    policies: new Map([['standard', standard]]),
    remindMs: 60 * MINUTE,
  });
}

const paged = (messenger: RecordingMessenger) =>
  messenger.urgents.map((urgent) => `${urgent.kind}:${urgent.openIds.join(',')}`);

describe('escalation', () => {
  it('pages L1 now when an incident starts escalating, and sets a wakeup for L2', async () => {
    const t = timers();
    const { changed, paged: who } = await runDue(t.current(), t.deps);
    expect(changed).toBe(true);
    expect(who).toBe('L1（张伟）');
    expect(t.messenger.sends.map((send) => send.target)).toEqual([{ kind: 'user', id: 'ou_zhang' }]);
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang']);
    expect(t.current().escalation).toMatchObject({
      policy: 'standard',
      step: 1,
      pagedStep: 1,
      nextAt: iso(t0 + 5 * MINUTE),
    });
    expect(t.wakeups.sent).toEqual([
      { message: { incidentId: '9c2e4b1a7d3f', at: iso(t0 + 5 * MINUTE) }, delaySeconds: 300 },
    ]);
  });

  it('pages a level that is due even while a worker that died still holds the incident; leaves its cards alone', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    t.current().deliveryLeaseUntil = iso(t0 + 6 * MINUTE); // a holder that died mid-round
    t.current().notifications = { 'chat:oc_ops': 'om_ops' };
    t.at(5 * MINUTE);
    await t.wake();
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang', 'app:ou_li', 'app:ou_lead']);
    expect(t.messenger.patches).toEqual([]);
    await t.wake(); // twice: still once
    expect(paged(t.messenger)).toHaveLength(4);
  });

  it('holds the next level while the incident flaps, and pages it once it has been stable for the flap window', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    t.current().flappingUntil = iso(t0 + 8 * MINUTE);
    t.at(5 * MINUTE);
    expect((await runDue(t.current(), t.deps)).changed).toBe(false);
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang']);
    expect(t.wakeups.sent.at(-1)).toMatchObject({ message: { at: iso(t0 + 8 * MINUTE) }, delaySeconds: 180 });
    t.at(8 * MINUTE);
    expect((await runDue(t.current(), t.deps)).paged).toBe('L2（李娜、赵磊）');
  });

  it('does not start for a severity the policy leaves to the chat, nor for members nobody is to be told about', async () => {
    const warning = timers();
    warning.current().members.a00000000001!.severity = 'warning';
    expect((await runDue(warning.current(), warning.deps)).changed).toBe(false);
    const muted = timers();
    muted.current().members.a00000000001!.muted = true;
    expect((await runDue(muted.current(), muted.deps)).changed).toBe(false);
    expect([...warning.messenger.urgents, ...muted.messenger.urgents]).toEqual([]);
  });

  it('escalates to L2 exactly once when its wakeups come twice at once, and says so on the cards and timeline', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    t.at(5 * MINUTE);
    await Promise.all([t.wake(), t.wake()]);
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang', 'app:ou_li', 'app:ou_lead']);
    expect(t.messenger.sends.map((send) => send.target.id)).toEqual(['ou_zhang', 'ou_li', 'ou_lead']);
    const escalated = t.current().timeline.filter((entry) => entry.event === 'escalated');
    expect(escalated.map((entry) => entry.detail)).toEqual(['已升级到 L2（李娜、赵磊）']);
    // The chat card says so (the worker that paged L2 brought it up to date).
    const chat = t.messenger.patches.filter((patch) => patch.messageId === 'om_chat');
    expect(chat).toHaveLength(1);
    expect(JSON.stringify(chat[0]!.card)).toContain('已升级到 L2（李娜、赵磊）');
    expect(t.current().escalation).toMatchObject({ step: 2, pagedStep: 2, nextAt: iso(t0 + 15 * MINUTE) });
  });

  it('does nothing for a wakeup that comes early, late, twice, or after the incident was acknowledged', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    t.at(4 * MINUTE);
    await t.wake(iso(t0 + 4 * MINUTE)); // an early sweep: L2 is not due yet
    expect(paged(t.messenger)).toHaveLength(2);
    await t.incidents.acknowledge(
      t.current().incidentId,
      { openId: 'ou_zhang' },
      { at: iso(t0), event: 'acknowledged' },
    );
    t.at(30 * MINUTE);
    await t.wake();
    expect(paged(t.messenger)).toHaveLength(2);
    expect(t.messenger.replies).toEqual([]);
  });

  it('sends a wakeup on when its time is beyond what SQS can delay', async () => {
    const t = timers();
    await t.wake(iso(t0 + 40 * MINUTE));
    expect(t.wakeups.sent).toEqual([
      { message: { incidentId: '9c2e4b1a7d3f', at: iso(t0 + 40 * MINUTE) }, delaySeconds: 900 },
    ]);
    t.at(39 * MINUTE + 30_000);
    await t.wake(iso(t0 + 40 * MINUTE));
    expect(t.wakeups.sent[1]).toEqual({
      message: { incidentId: '9c2e4b1a7d3f', at: iso(t0 + 40 * MINUTE) },
      delaySeconds: 30,
    });
    expect(t.messenger.urgents).toEqual([]);
  });

  it('goes round the levels again after the repeat delay, then stops', async () => {
    const t = timers({ remindAt: undefined });
    await runDue(t.current(), t.deps);
    for (const minutes of [5, 15, 25, 30, 40]) {
      t.at(minutes * MINUTE);
      await t.wake();
    }
    expect(
      t
        .current()
        .timeline.filter((entry) => entry.event === 'escalated')
        .map((entry) => entry.detail),
    ).toEqual([
      '已升级到 L2（李娜、赵磊）',
      '已升级到 L3（孙总）',
      '已升级到 L1（张伟，第 2 轮）',
      '已升级到 L2（李娜、赵磊，第 2 轮）',
      '已升级到 L3（孙总，第 2 轮）',
    ]);
    expect(t.current().escalation).toMatchObject({ step: 6, pagedStep: 6 });
    expect(t.current().escalation!.nextAt).toBeUndefined();
    t.at(120 * MINUTE);
    await t.wake();
    expect(t.current().escalation!.step).toBe(6);
  });

  it('escalates by hand to the next level now, even when acknowledged, and not past the last one', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    await t.incidents.acknowledge(
      t.current().incidentId,
      { openId: 'ou_zhang' },
      { at: iso(t0), event: 'acknowledged' },
    );
    t.at(MINUTE);
    expect((await runDue(t.current(), t.deps, { manual: true })).paged).toBe('L2（李娜、赵磊）');
    expect((await runDue(t.current(), t.deps, { manual: true })).paged).toBe('L3（孙总）');
    const noTimers = timers();
    noTimers.deps.policies = new Map([['standard', { ...standard, repeat: { times: 0, afterMs: 0 } }]]);
    await runDue(noTimers.current(), noTimers.deps);
    await runDue(noTimers.current(), noTimers.deps, { manual: true });
    await runDue(noTimers.current(), noTimers.deps, { manual: true });
    expect((await runDue(noTimers.current(), noTimers.deps, { manual: true })).changed).toBe(false);
  });

  it('waits out a silence and escalates once it has ended', async () => {
    const t = timers();
    await runDue(t.current(), t.deps);
    const until = iso(t0 + 20 * MINUTE);
    t.current().silence = { id: 'sil1', until, by: { openId: 'ou_zhang' } };
    t.at(5 * MINUTE);
    await t.wake();
    expect(paged(t.messenger)).toHaveLength(2);
    expect(t.wakeups.sent.at(-1)).toEqual({ message: { incidentId: '9c2e4b1a7d3f', at: until }, delaySeconds: 900 });
    t.at(20 * MINUTE);
    await t.wake(until);
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang', 'app:ou_li', 'app:ou_lead']);
  });

  it('gives a step up after its attempts ran out, so later levels still come', async () => {
    const t = timers();
    t.messenger.failingUrgent.add('app');
    for (let attempt = 1; attempt <= 4; attempt++) {
      t.at(attempt * 1000);
      await expect(runDue(t.current(), t.deps)).rejects.toThrow(/incomplete/);
    }
    expect(t.current().escalation).toMatchObject({ step: 1, pagedStep: 0, attempts: 4 });
    t.at(5000);
    await runDue(t.current(), t.deps, {});
    // Escalation started at the first attempt, a second in: L2 is due five minutes after that.
    expect(t.current().escalation).toMatchObject({ step: 1, pagedStep: 1, nextAt: iso(t0 + 1000 + 5 * MINUTE) });
    expect(t.current().timeline.at(-1)).toMatchObject({
      event: 'page_failed',
      detail: expect.stringContaining('5 次尝试后放弃：应用内加急 张伟'),
    });
    // The phone call went through on the first attempt and was never made again.
    expect(paged(t.messenger)).toEqual(['phone:ou_zhang']);
  });

  it("keeps a page owed while the person's send budget is full, without counting attempts or waiting longer", async () => {
    const t = timers();
    const send = t.messenger.sendCard.bind(t.messenger);
    let full = MAX_PAGE_ATTEMPTS + 2;
    t.messenger.sendCard = async (target, card, key) => {
      if (target.kind === 'user' && full-- > 0) throw new BudgetSpent(`user:${target.id}`, 5);
      return send(target, card, key);
    };
    await onWakeup({ incidentId: '9c2e4b1a7d3f', at: iso(t0) }, t.deps);
    for (let round = 0; round <= MAX_PAGE_ATTEMPTS + 1; round++) {
      const { message } = t.wakeups.sent.at(-1)!;
      // Each comes back after the first retry delay, however many came before it.
      expect(message).toMatchObject({ at: iso(Date.parse(t.deps.now()) + 2000) });
      t.at(Date.parse(message.at) - t0);
      await onWakeup(message, t.deps);
    }
    expect(paged(t.messenger)).toEqual(['app:ou_zhang', 'phone:ou_zhang']);
    expect(t.current().timeline.map((entry) => entry.event)).not.toContain('page_failed');
  });

  it('gives up a step whose holders all died mid-call', async () => {
    const t = timers();
    t.current().escalation = {
      policy: 'standard',
      startedAt: iso(t0),
      step: 1,
      pagedStep: 0,
      attempts: 5,
      leaseUntil: iso(t0 - 1),
      done: {},
    };
    await runDue(t.current(), t.deps, {});
    expect(t.current().escalation).toMatchObject({ step: 1, pagedStep: 1, nextAt: iso(t0 + 5 * MINUTE) });
    expect(t.current().timeline.at(-1)!.detail).toContain('已放弃');
    expect(t.messenger.urgents).toEqual([]);
  });
});

describe('reminders', () => {
  it('reminds in the chat threads once per interval while triggered, whatever the source does', async () => {
    const t = timers();
    t.current().members.a00000000001!.severity = 'warning'; // no escalation: reminders only
    t.at(60 * MINUTE);
    await Promise.all([t.wake(), t.wake()]);
    expect(t.messenger.replies.map((reply) => reply.messageId)).toEqual(['om_chat']);
    expect((t.messenger.replies[0]!.message as { text: string }).text).toMatch(
      /仍未恢复.*已持续 1 小时，1 条告警触发中/,
    );
    expect(t.current().remindAt).toBe(iso(t0 + 120 * MINUTE));
    expect(t.wakeups.sent.at(-1)!.message.at).toBe(iso(t0 + 120 * MINUTE));
    await t.incidents.acknowledge(t.current().incidentId, { openId: 'ou_li' }, { at: iso(t0), event: 'acknowledged' });
    t.at(120 * MINUTE);
    await t.wake();
    expect(t.messenger.replies).toHaveLength(1);
  });

  it('keeps reminding on time when a chat rejects the reply', async () => {
    const t = timers({ notifications: { 'chat:oc_gone': 'om_gone' } });
    t.messenger.reply = async () => {
      throw new Error('bot is not in the chat');
    };
    t.at(60 * MINUTE);
    await t.wake();
    expect(t.current().remindAt).toBe(iso(t0 + 120 * MINUTE));
  });
});

describe('the sweep', () => {
  it('queues a wakeup now for every triggered incident with a timer due, and none for the others', async () => {
    const t = timers();
    const late = { ...incident({ incidentId: 'aaaaaaaaaaaa', remindAt: iso(t0 - MINUTE) }) };
    const acknowledged = {
      ...incident({ incidentId: 'bbbbbbbbbbbb', remindAt: iso(t0 - MINUTE), state: 'acknowledged' }),
    };
    t.incidents.incidents.set(late.incidentId, late);
    t.incidents.incidents.set(acknowledged.incidentId, acknowledged);
    const { due } = await sweepTimers({ incidents: t.incidents, wakeups: t.wakeups, now: t.deps.now, log: t.deps.log });
    expect(due).toBe(1);
    expect(t.wakeups.sent).toEqual([{ message: { incidentId: 'aaaaaaaaaaaa', at: iso(t0) } }]);
  });
});
