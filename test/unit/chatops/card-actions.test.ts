import { beforeEach, describe, expect, it } from 'vitest';
import type { Silence, SilenceStore } from '../../../lib/alerts/silences.js';
import { memberOf, type StoredIncident } from '../../../lib/incidents/model.js';
import { answerCardAction, type CardActionDeps } from '../../../lib/chatops/card-actions.js';
import type { ChatopsTask } from '../../../lib/chatops/tasks.js';
import { cardClick } from '../../../infra/local/feishu-events.js';
import { makeAlert } from '../fakes/alerts.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { MemoryAuditStore } from '../fakes/audit-store.js';
import { verifyAudit } from '../../../lib/automation/audit.js';
import { recordingLogger } from '../fakes/logger.js';
import { MemoryRequestStore } from '../fakes/request-store.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');
let incidents: MemoryIncidentRepository;
let silences: Silence[];
let queued: ChatopsTask[];
let releases: { at: string; reason: string }[];
let audit: MemoryAuditStore;
let deps: CardActionDeps;

function storedIncident(): StoredIncident {
  const alert = makeAlert({ host: 'api-1' });
  const at = new Date(t0).toISOString();
  const member = memberOf({
    alertId: 'a1b2c3d4e5f6',
    fingerprint: alert.fingerprint,
    severity: alert.severity,
    alert,
    firstSeenAt: at,
  });
  return {
    incidentId: 'c0ffee000001',
    groupKey: 'default:alertname=HighErrorRate,service=api',
    state: 'triggered',
    title: alert.name,
    service: alert.service,
    members: { [member.alertId]: member },
    firing: 1,
    resolved: 0,
    plan: { routes: ['default'], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
    notifications: { 'chat:oc_ops': 'om_1' },
    version: 1,
    openedAt: at,
    updatedAt: at,
    timeline: [],
  };
}

beforeEach(async () => {
  incidents = new MemoryIncidentRepository();
  await incidents.create(storedIncident());
  silences = [];
  queued = [];
  releases = [];
  audit = new MemoryAuditStore();
  const store: SilenceStore = {
    create: async (silence) => void (silences.some((s) => s.id === silence.id) || silences.push(silence)),
    list: async () => silences,
    expire: async () => undefined,
  };
  deps = {
    incidents,
    silences: store,
    releaseMutes: async (at, reason) => void releases.push({ at, reason }),
    audit,
    log: recordingLogger(),
    now: () => t0 + 60_000,
    timeZone: 'Asia/Shanghai',
    queue: { sendAll: async (tasks) => (queued.push(...tasks), { failed: [], requests: 1 }) },
    approvals: {
      requests: new MemoryRequestStore(),
      audit: new MemoryAuditStore(),
      queue: { sendAll: async () => ({ failed: [], requests: 1 }) },
    },
  };
});

const click = (action: string, operator: string, eventId = `ev-${operator}-${action}`) =>
  answerCardAction(cardClick({ action, incidentId: 'c0ffee000001' }, { operatorOpenId: operator }), eventId, deps);

describe('card buttons', () => {
  it('refuses a person the incident does not permit, says who may, changes nothing, and audits both', async () => {
    const permit = { people: ['ou_a'], who: '需要：值班团队 sre 的成员，或角色 responder' };
    const incident = incidents.incidents.get('c0ffee000001')!;
    incident.permits = { ack: permit, resolve: permit, silence: permit, escalate: permit };
    const refused = await click('resolve', 'ou_stranger');
    expect(refused.toast?.content).toBe('你没有权限解决（需要：值班团队 sre 的成员，或角色 responder）');
    expect(incidents.incidents.get('c0ffee000001')!.state).toBe('triggered');
    expect(await click('silence', 'ou_stranger')).toMatchObject({
      toast: { content: expect.stringContaining('静默') },
    });
    expect(silences).toEqual([]);
    expect((await click('ack', 'ou_a')).toast?.type).toBe('success');
    const records = [];
    for await (const record of audit.records()) records.push(record);
    expect(records.map((r) => [r.kind, r.action, r.actor, r.args.incidentId])).toEqual([
      ['denied', 'incident.resolve', { openId: 'ou_stranger' }, 'c0ffee000001'],
      ['denied', 'incident.silence', { openId: 'ou_stranger' }, 'c0ffee000001'],
      ['performed', 'incident.ack', { openId: 'ou_a' }, 'c0ffee000001'],
    ]);
    expect(await verifyAudit(audit)).toMatchObject({ ok: true, records: 3 });
  });

  it('ack: the first click wins, the second is told it was acknowledged, and both get the updated card', async () => {
    const [first, second] = [await click('ack', 'ou_a'), await click('ack', 'ou_b')];
    expect(first.toast).toEqual({ type: 'success', content: '已确认：重复提醒和升级已停止' });
    expect(second.toast?.type).toBe('info');
    expect(second.toast?.content).toMatch(/已由其他人（见卡片）于 .* 确认/);
    expect(JSON.stringify(second.card?.data)).toContain('<at id=ou_a></at>');
    const incident = incidents.incidents.get('c0ffee000001')!;
    expect(incident.timeline.filter((entry) => entry.event === 'acknowledged')).toHaveLength(1);
    expect(incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: { openId: 'ou_a' } });
    expect(queued).toEqual([{ kind: 'incident_changed', incidentId: 'c0ffee000001', reason: 'ack', by: 'ou_a' }]);
  });

  it('the second click is told by name who was first and when, from the names the incident keeps', async () => {
    incidents.incidents.get('c0ffee000001')!.names = { ou_a: '张三', ou_b: '李四' };
    expect((await click('ack', 'ou_a')).toast?.type).toBe('success');
    expect((await click('ack', 'ou_b')).toast).toEqual({
      type: 'info',
      content: '该事件已由张三于 2026/03/02 11:01:00 确认',
    });
    const incident = incidents.incidents.get('c0ffee000001')!;
    expect(incident.acknowledgedBy).toEqual({ openId: 'ou_a', name: '张三' });
    expect(incident.timeline.find((entry) => entry.event === 'acknowledged')?.detail).toBe('确认人：张三');
    expect((await click('resolve', 'ou_b')).toast?.type).toBe('success');
    expect((await click('ack', 'ou_a')).toast?.content).toBe('该事件已由李四于 2026/03/02 11:01:00 解决');
  });

  it('resolve closes the incident once and asks chatops to close its alerts and ask for a note; a later ack is told who resolved it', async () => {
    expect((await click('resolve', 'ou_a')).toast?.type).toBe('success');
    expect(incidents.incidents.get('c0ffee000001')).toMatchObject({
      state: 'resolved',
      resolvedBy: { openId: 'ou_a' },
    });
    expect(queued).toEqual([
      { kind: 'incident_changed', incidentId: 'c0ffee000001', reason: 'resolve', by: 'ou_a' },
      { kind: 'ask_note', incidentId: 'c0ffee000001', by: 'ou_a' },
    ]);
    const late = await click('ack', 'ou_b');
    expect(late.toast).toMatchObject({
      type: 'info',
      content: expect.stringMatching(/已由其他人（见卡片）于 .* 解决/),
    });
    expect((late.card?.data as { header: { template: string } }).header.template).toBe('green');
  });

  it('silence creates one silence matching this incident’s alerts for an hour and shows it on the card', async () => {
    const answer = await click('silence', 'ou_a');
    expect(answer.toast?.type).toBe('success');
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({
      matchers: ['alertname="HighErrorRate"', 'service="api"', 'host="api-1"'],
      endsAt: new Date(t0 + 60_000 + 3600_000).toISOString(),
    });
    expect(JSON.stringify(answer.card?.data)).toContain('已静默');
    // What it mutes from now on is checked again when it ends.
    expect(releases).toEqual([{ at: silences[0]!.endsAt, reason: `静默 ${silences[0]!.id} 到期` }]);
    expect((await click('silence', 'ou_b')).toast?.content).toMatch(/已静默至/);
    expect(silences).toHaveLength(1);
  });

  it('an unknown button or incident gets an error toast, not an exception', async () => {
    expect(
      (await answerCardAction(cardClick({ action: 'reboot', incidentId: 'x' }, { operatorOpenId: 'ou_a' }), 'e', deps))
        .toast?.type,
    ).toBe('error');
    const missing = await answerCardAction(
      cardClick({ action: 'ack', incidentId: 'ffffffffffff' }, { operatorOpenId: 'ou_a' }),
      'e2',
      deps,
    );
    expect(missing).toEqual({ toast: { type: 'error', content: '找不到事件 ffffffffffff' } });
  });
});
