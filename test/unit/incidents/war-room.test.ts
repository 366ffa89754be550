import { describe, expect, it } from 'vitest';
import type { Team } from '../../../lib/alerts/oncall.js';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';
import { incidentCard } from '../../../lib/incidents/card.js';
import { warRoomName } from '../../../lib/incidents/war-room.js';
import { makeIncident, makeMember } from '../fakes/incidents.js';
import { workerAround } from '../fakes/worker.js';

const t0 = Date.parse('2026-12-02T06:22:00Z');
const team: Team = {
  name: 'payments',
  rotation: {
    members: [
      { name: '陈静', openId: 'ou_chen' },
      { name: '刘洋', openId: 'ou_liu' },
    ],
    handoffAt: t0,
    shiftMs: 86_400_000,
    overrides: [],
  },
};

function critical(fields: Parameters<typeof makeIncident>[0] = {}) {
  const incident = makeIncident(
    {
      title: '支付服务不可用',
      openedAt: new Date(t0).toISOString(),
      plan: {
        routes: ['payments'],
        targets: [{ kind: 'chat', id: 'oc_pay' }],
        team: 'payments',
        onCall: { name: '陈静', openId: 'ou_chen' },
        channels: ['card'],
      },
      ...fields,
    },
    [makeMember('PaymentsDown', 'critical')],
  );
  const w = workerAround(incident, { start: t0, teams: new Map([['payments', team]]) });
  w.deps.warRoomSeverities = ['critical'];
  return { w, incident };
}

const roomOf = (w: ReturnType<typeof critical>['w']) => w.current().warRoom!;

describe('war rooms', () => {
  it('are named by priority, title and start in the display time zone', () => {
    expect(warRoomName(critical().incident, 'Asia/Shanghai')).toBe('[P1] 支付服务不可用 12-02 14:22');
  });

  it('open once for a critical incident, with its team, its card pinned and its timeline posted', async () => {
    const { w, incident } = critical();
    await w.wake();
    expect(w.messenger.chats).toHaveLength(1);
    expect(w.messenger.chats[0]).toMatchObject({
      name: '[P1] 支付服务不可用 12-02 14:22',
      openIds: ['ou_chen', 'ou_liu'],
    });
    const room = roomOf(w);
    expect(room.chatId).toBe(w.messenger.chats[0]!.chatId);
    await expect(w.incidents.incidentForWarRoom(room.chatId!)).resolves.toBe(incident.incidentId);
    const toRoom = w.messenger.sends.filter((send) => send.target.id === room.chatId);
    // The incident's card, then what happened so far.
    expect(toRoom.map((send) => JSON.stringify(send.card).includes('事件进展'))).toEqual([false, true]);
    expect(w.messenger.pins).toEqual([w.current().notifications[`chat:${room.chatId}`]]);
    expect(w.current().timeline.map((entry) => entry.event)).toContain('war_room');

    // Later rounds and repeated wakeups open nothing more and post only what is new.
    await w.wake();
    await w.incidents.appendTimeline(incident.incidentId, [
      { at: new Date(t0 + 1000).toISOString(), event: 'status_update', detail: '陈静：已切流' },
    ]);
    w.at(2000);
    await w.wake();
    expect(w.messenger.chats).toHaveLength(1);
    expect(w.messenger.pins).toHaveLength(1);
    const posts = w.messenger.sends.filter((send) => send.target.id === room.chatId).slice(1);
    expect(posts).toHaveLength(2);
    expect(JSON.stringify(posts[1]!.card)).toContain('已切流');
    expect(JSON.stringify(posts[1]!.card)).not.toContain('作战室');
  });

  it('are created with the same key again after a failure that may pass, and never twice', async () => {
    const { w } = critical();
    w.messenger.failingChatCreate = new FeishuApiError('create chat', undefined, 'HTTP 500', 500);
    await w.wake();
    expect(roomOf(w)).toBeUndefined();
    expect(w.wakeups.sent.at(-1)?.message).toMatchObject({ retries: 1 });
    delete w.messenger.failingChatCreate;
    w.at(2000);
    await w.wake();
    await w.wake();
    expect(new Set(w.messenger.chats.map((chat) => chat.idempotencyKey)).size).toBe(1);
    expect(w.messenger.chats).toHaveLength(1);
    expect(roomOf(w).chatId).toBeDefined();
  });

  it('that cannot be created leave the incident in its route chat, and the card says why', async () => {
    const { w } = critical();
    w.messenger.failingChatCreate = new FeishuApiError('create chat', 232034, 'no permission to create chats');
    await w.wake();
    expect(roomOf(w).failed?.reason).toContain('no permission');
    expect(w.messenger.sends.filter((send) => send.target.kind === 'chat').map((send) => send.target.id)).toEqual([
      'oc_pay',
    ]);
    const card = JSON.stringify(
      incidentCard(w.current(), { timeZone: 'Asia/Shanghai', now: new Date(t0).toISOString() }),
    );
    expect(card).toContain('作战室**：创建失败，请在本群处理');
    await w.wake();
    expect(w.messenger.chats).toHaveLength(0);
  });

  it('add the people paged later, once', async () => {
    const { w, incident } = critical();
    await w.wake();
    await w.incidents.appendTimeline(incident.incidentId, [
      { at: new Date(t0 + 1000).toISOString(), event: 'paged', detail: '电话加急：周经理', actor: 'ou_zhou' },
    ]);
    await w.wake();
    await w.wake();
    expect(w.messenger.chatMembers).toEqual([{ chatId: roomOf(w).chatId, openIds: ['ou_zhou'] }]);
  });

  it('are not opened for a warning, unless its route says so', async () => {
    const { w } = critical();
    w.deps.warRoomSeverities = ['critical'];
    const warning = makeIncident({ plan: { ...w.current().plan, warRoom: ['warning'] } }, [
      makeMember('Slow', 'warning'),
    ]);
    const other = workerAround(warning, { start: t0 });
    other.deps.warRoomSeverities = ['critical'];
    await other.wake();
    expect(other.messenger.chats).toHaveLength(1);
    const plain = workerAround(makeIncident({}, [makeMember('Slow', 'warning')]), { start: t0 });
    plain.deps.warRoomSeverities = ['critical'];
    await plain.wake();
    expect(plain.messenger.chats).toHaveLength(0);
  });
});
