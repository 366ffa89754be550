import { describe, expect, it } from 'vitest';
import type { AlertingConfig } from '../../../lib/alerts/config.js';
import type { ForwardedAlert } from '../../../lib/alerts/dedup.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { feishuCardNotifier } from '../../../lib/alerts/notifiers/feishu-card.js';
import { feishuReminderNotifier } from '../../../lib/alerts/notifiers/feishu-reminder.js';
import { feishuUrgentNotifier } from '../../../lib/alerts/notifiers/feishu-urgent.js';
import { runAlertPath } from '../../../lib/alerts/pipeline.js';
import type { MuteReason } from '../../../lib/alerts/stages/stage.js';
import { makeAlert, nextEvent } from '../fakes/alerts.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');
const MINUTE = 60_000;

const config: AlertingConfig = {
  dedup: { defaultSeconds: 300, bySeverity: {} },
  routes: [{ name: 'default', matchers: [], chats: ['oc_ops'], users: [], team: 'sre', continue: false }],
  teams: new Map([
    [
      'sre',
      {
        name: 'sre',
        rotation: {
          members: [
            { name: '张伟', openId: 'ou_zhang' },
            { name: '李娜', openId: 'ou_li' },
          ],
          handoffAt: t0 - MINUTE,
          shiftMs: 7 * 86_400_000,
          overrides: [],
        },
      },
    ],
  ]),
  inhibitRules: [],
  reminderIntervalSeconds: 3600,
};

function router() {
  const repo = new MemoryAlertRepository();
  const messenger = new RecordingMessenger();
  const log = recordingLogger();
  let clock = t0;
  const muted = new Set<string>();
  const route = (item: ForwardedAlert) =>
    runAlertPath(item, {
      repo,
      config,
      notifiers: [
        feishuCardNotifier(messenger, { timeZone: 'Asia/Shanghai' }),
        feishuUrgentNotifier(messenger),
        feishuReminderNotifier(messenger, { everyMs: config.reminderIntervalSeconds * 1000 }),
      ],
      log,
      now: () => clock,
      muteReason: async (alert) =>
        muted.has(alert.name)
          ? ({
              kind: 'silence',
              silence: {
                id: 'sil1',
                matchers: [`alertname=${alert.name}`],
                startsAt: '',
                endsAt: '2026-03-02T05:00:00Z',
                createdBy: { openId: 'ou_li' },
                reason: '',
                createdAt: '',
              },
            } satisfies MuteReason)
          : undefined,
    });
  return { repo, messenger, log, route, muted, at: (ms: number) => (clock = t0 + ms) };
}

const open = (alert: Alert, count = 1): ForwardedAlert => ({ alert, decision: 'open', count });
const remind = (alert: Alert, count: number): ForwardedAlert => ({ alert, decision: 'remind', count });
const resolve = (alert: Alert, count: number): ForwardedAlert => ({ alert, decision: 'resolve', count });

const template = (card: object) => (card as { header: { template: string } }).header.template;
const critical = () =>
  makeAlert({
    severity: 'critical',
    labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' },
    name: 'ApiDown',
  });

describe('the alert path', () => {
  it('opens a warning alert: stores it with its route and sends one card per target, without paging', async () => {
    const r = router();
    const alert = makeAlert();
    const stored = await r.route(open(alert));
    expect(r.messenger.sends.map((send) => send.target)).toEqual([
      { kind: 'chat', id: 'oc_ops' },
      { kind: 'user', id: 'ou_zhang' },
    ]);
    expect(r.messenger.urgents).toEqual([]);
    expect(template(r.messenger.sends[0]!.card)).toBe('orange');
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved).toMatchObject({
      status: 'firing',
      fingerprint: alert.fingerprint,
      openedBy: alert.eventId,
      plan: { routes: ['default'], onCall: { openId: 'ou_zhang' } },
    });
    expect(saved.notifications).toEqual({ 'chat:oc_ops': 'om_1', 'user:ou_zhang': 'om_2' });
  });

  it('uses a different idempotency key per target, stable for the alert', async () => {
    const r = router();
    await r.route(open(makeAlert()));
    const keys = r.messenger.sends.map((send) => send.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
  });

  it('pages a critical alert once by app, SMS and phone, on the card sent to the on-call person directly', async () => {
    const r = router();
    const stored = await r.route(open(critical()));
    expect(r.messenger.sends).toHaveLength(2);
    expect(template(r.messenger.sends[0]!.card)).toBe('red');
    const direct = r.repo.alerts.get(stored!.alertId)!.notifications['user:ou_zhang'];
    expect(r.messenger.urgents).toEqual([
      { messageId: direct, kind: 'app', openIds: ['ou_zhang'] },
      { messageId: direct, kind: 'sms', openIds: ['ou_zhang'] },
      { messageId: direct, kind: 'phone', openIds: ['ou_zhang'] },
    ]);
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved.pagedAt).toBeDefined();
    expect(saved.timeline.filter((entry) => entry.event === 'paged')).toHaveLength(3);
  });

  it('sends nothing more and pages once when the same forwarded message is delivered twice', async () => {
    const r = router();
    const item = open(critical());
    const first = await r.route(item);
    r.at(20_000);
    const second = await r.route(item);
    expect(second!.alertId).toBe(first!.alertId);
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toHaveLength(3);
    expect(r.repo.alerts.size).toBe(1);
  });

  it('patches the cards it sent on a reminder, with the new count, and sends and pages nothing new', async () => {
    const r = router();
    const alert = critical();
    const stored = await r.route(open(alert));
    r.at(6 * MINUTE);
    const later = await r.route(remind(nextEvent(alert), 4));
    expect(later!.alertId).toBe(stored!.alertId);
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toHaveLength(3);
    expect(r.messenger.patches.map((patch) => patch.messageId).sort()).toEqual(['om_1', 'om_2']);
    expect(JSON.stringify(r.messenger.patches[0]!.card)).toContain('**发生次数**：4');
    expect(r.repo.alerts.get(stored!.alertId)!.count).toBe(4);
  });

  it('turns the same cards green on resolve, without sending or paging', async () => {
    const r = router();
    const alert = critical();
    const stored = await r.route(open(alert));
    r.at(10 * MINUTE);
    const resolved = await r.route(
      resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:09:30.000Z' }), 2),
    );
    expect(resolved!.status).toBe('resolved');
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toHaveLength(3);
    expect(r.messenger.patches.map((patch) => patch.messageId).sort()).toEqual(['om_1', 'om_2']);
    for (const patch of r.messenger.patches) {
      expect(template(patch.card)).toBe('green');
      expect(JSON.stringify(patch.card)).toContain('已恢复');
    }
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-02T03:09:30.000Z',
    });
  });

  it('opens a new alert with new cards when a resolved condition fires again', async () => {
    const r = router();
    const alert = makeAlert();
    const first = await r.route(open(alert));
    await r.route(resolve(nextEvent(alert, { status: 'resolved' }), 2));
    r.at(30 * MINUTE);
    const again = await r.route(open(nextEvent(alert, { startsAt: '2026-03-02T03:29:00.000Z' }), 3));
    expect(again!.alertId).not.toBe(first!.alertId);
    expect(again!.status).toBe('firing');
    expect(r.messenger.sends).toHaveLength(4);
  });

  it('ignores a firing that started before the last resolution (out of order or redelivered): no new alert, no card', async () => {
    const r = router();
    const alert = makeAlert({ startsAt: '2026-03-02T02:55:00.000Z' });
    await r.route(open(alert));
    r.at(10 * MINUTE);
    const resolved = await r.route(
      resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:09:00.000Z' }), 2),
    );
    const late = await r.route(open(nextEvent(alert), 3));
    expect(late!.alertId).toBe(resolved!.alertId);
    expect(late!.status).toBe('resolved');
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toEqual([]);
    expect(r.repo.alerts.get(resolved!.alertId)!.timeline.at(-1)!.event).toBe('stale_firing');
  });

  it('keeps a resolution that overtook its firing: the late firing does not reopen it', async () => {
    const r = router();
    const alert = makeAlert({ startsAt: '2026-03-02T02:55:00.000Z' });
    await r.route(resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T02:58:00.000Z' }), 2));
    await r.route(open(alert, 1));
    expect(r.messenger.sends).toEqual([]);
    expect((await r.repo.latest(alert.fingerprint))!.status).toBe('resolved');
  });

  it('stores a resolution for an unknown fingerprint as resolved and sends nothing', async () => {
    const r = router();
    const alert = makeAlert({ status: 'resolved', endsAt: '2026-03-02T02:59:00.000Z' });
    const stored = await r.route(resolve(alert, 1));
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-02T02:59:00.000Z',
    });
    expect(await r.repo.latest(alert.fingerprint)).toMatchObject({ alertId: stored!.alertId });
    expect(r.messenger.sends).toEqual([]);
    expect(r.messenger.patches).toEqual([]);
    expect(r.messenger.urgents).toEqual([]);
    expect(r.log.lines.some((line) => line.level === 'warn')).toBe(true);

    await r.route(resolve(alert, 1));
    expect(r.messenger.sends).toEqual([]);
  });

  it('stores an info alert and notifies nobody', async () => {
    const r = router();
    const alert = makeAlert({ severity: 'info', labels: { alertname: 'CertExpiresIn30d', severity: 'info' } });
    const stored = await r.route(open(alert));
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({ status: 'firing', severity: 'info', notifications: {} });
    expect(r.messenger.sends).toEqual([]);
    expect(r.messenger.urgents).toEqual([]);
  });

  it('throws and releases the claim when every page fails, so a retry pages', async () => {
    const r = router();
    const item = open(critical());
    r.messenger.failingUrgent.add('app').add('sms').add('phone');
    await expect(r.route(item)).rejects.toThrow(/every page to ou_zhang/);
    const [saved] = [...r.repo.alerts.values()];
    expect(saved!.pagedAt).toBeUndefined();
    expect(r.messenger.sends).toHaveLength(2);

    r.messenger.failingUrgent.clear();
    r.at(15_000);
    await r.route(item);
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
    expect(r.repo.alerts.get(saved!.alertId)!.pagedAt).toBeDefined();
  });

  it('keeps the page claimed when at least one channel worked, and records the failures', async () => {
    const r = router();
    r.messenger.failingUrgent.add('phone');
    const item = open(critical());
    const stored = await r.route(item);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms']);
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved.pagedAt).toBeDefined();
    expect(saved.timeline.map((entry) => entry.event)).toContain('page_failed');

    r.messenger.failingUrgent.clear();
    await r.route(item);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms']);
  });

  it('still sends the on-call card and pages when a chat rejects the card, then fails so the chat is retried', async () => {
    const r = router();
    r.messenger.failingChats.add('oc_ops');
    const alert = critical();
    await expect(r.route(open(alert))).rejects.toThrow(/incomplete/);
    expect(r.messenger.sends.map((send) => send.target)).toEqual([{ kind: 'user', id: 'ou_zhang' }]);
    expect(r.messenger.urgents.map((u) => u.kind)).toEqual(['app', 'sms', 'phone']);

    r.messenger.failingChats.clear();
    await r.route(open(alert)); // the redelivery sends only what is missing, and pages nobody again
    expect(r.messenger.sends.map((send) => send.target)).toEqual([
      { kind: 'user', id: 'ou_zhang' },
      { kind: 'chat', id: 'oc_ops' },
    ]);
    expect(r.messenger.urgents).toHaveLength(3);
  });

  it('does not let an old resolution, redelivered late, close a newer incident of the same condition', async () => {
    const r = router();
    const alert = makeAlert({ startsAt: '2026-03-02T02:55:00.000Z' });
    await r.route(open(alert));
    const oldResolution = nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:05:00.000Z' });
    await r.route(resolve(oldResolution, 2));
    r.at(20 * MINUTE);
    const second = await r.route(open(nextEvent(alert, { startsAt: '2026-03-02T03:18:00.000Z' }), 3));
    const patchesBefore = r.messenger.patches.length;
    const after = await r.route(resolve(oldResolution, 2)); // the redelivery
    expect(after!.alertId).toBe(second!.alertId);
    expect(r.repo.alerts.get(second!.alertId)!.status).toBe('firing');
    expect(r.messenger.patches).toHaveLength(patchesBefore);
  });

  it('does not let an old firing overwrite a newer open incident', async () => {
    const r = router();
    const first = makeAlert({ startsAt: '2026-03-02T02:55:00.000Z', summary: 'first incident' });
    await r.route(open(first));
    await r.route(resolve(nextEvent(first, { status: 'resolved', endsAt: '2026-03-02T03:05:00.000Z' }), 2));
    r.at(20 * MINUTE);
    const second = await r.route(
      open(nextEvent(first, { startsAt: '2026-03-02T03:18:00.000Z', summary: 'second incident' }), 3),
    );
    await r.route(remind(nextEvent(first, { summary: 'first incident, redelivered' }), 4));
    expect(r.repo.alerts.get(second!.alertId)!.alert.summary).toBe('second incident');
  });

  it('pages again after a sender died mid-page, once its lease has run out, and not before', async () => {
    const r = router();
    const item = open(critical());
    r.messenger.failingUrgent.add('app').add('sms').add('phone');
    await expect(r.route(item)).rejects.toThrow();
    const [saved] = [...r.repo.alerts.values()];
    // As if an invocation had taken the lease and died before recording anything.
    await r.repo.claimPage(saved!.alertId, new Date(t0).toISOString(), new Date(t0 + 2 * MINUTE).toISOString());
    r.messenger.failingUrgent.clear();
    r.at(MINUTE);
    await r.route(item);
    expect(r.messenger.urgents).toEqual([]);
    r.at(3 * MINUTE);
    await r.route(item);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
  });

  it('keeps refreshing the card of a long-firing alert but notes only the first 20 refreshes in its timeline', async () => {
    const r = router();
    const alert = makeAlert();
    const stored = await r.route(open(alert));
    for (let i = 1; i <= 25; i++) {
      r.at(i * 5 * MINUTE);
      await r.route(remind(nextEvent(alert), i + 1));
    }
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved.count).toBe(26);
    expect(saved.timeline.filter((entry) => entry.event === 'repeated')).toHaveLength(20);
    expect(r.messenger.patches.length).toBeGreaterThanOrEqual(25 * 2);
  });
});

describe('muting, acknowledging and reminding', () => {
  const ack = (r: ReturnType<typeof router>, alertId: string) =>
    r.repo.acknowledge(
      alertId,
      { openId: 'ou_li', name: '李娜' },
      { at: new Date(t0).toISOString(), event: 'acknowledged' },
    );

  it('a silenced alert is stored and counted but sends no card and pages nobody', async () => {
    const r = router();
    const alert = critical();
    r.muted.add(alert.name);
    const stored = await r.route(open(alert));
    expect(r.messenger.sends).toEqual([]);
    expect(r.messenger.urgents).toEqual([]);
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved.timeline.at(-1)).toMatchObject({ event: 'muted', detail: expect.stringContaining('sil1') });
    await r.route(remind(nextEvent(alert), 7));
    expect(r.repo.alerts.get(stored!.alertId)!.count).toBe(7);
    expect(r.messenger.sends).toEqual([]);
  });

  it('cards already sent are still updated while muted, and a resolution turns them green', async () => {
    const r = router();
    const alert = makeAlert();
    await r.route(open(alert));
    r.muted.add(alert.name);
    await r.route(resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:10:00.000Z' }), 2));
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.patches.map((patch) => template(patch.card))).toEqual(['green', 'green']);
  });

  it('an unacknowledged firing alert is brought up in its chat once per reminder interval; acknowledging stops it', async () => {
    const r = router();
    const alert = makeAlert();
    const stored = await r.route(open(alert));
    r.at(10 * MINUTE);
    await r.route(remind(nextEvent(alert), 2));
    expect(r.messenger.replies).toHaveLength(1);
    expect(r.messenger.replies[0]).toMatchObject({
      messageId: stored!.notifications['chat:oc_ops'],
      message: { kind: 'text' },
    });
    expect((r.messenger.replies[0]!.message as { text: string }).text).toMatch(/仍未恢复.*共发生 2 次/);
    r.at(30 * MINUTE);
    await r.route(remind(nextEvent(alert), 3));
    expect(r.messenger.replies).toHaveLength(1); // inside the interval
    r.at(75 * MINUTE);
    await ack(r, stored!.alertId);
    await r.route(remind(nextEvent(alert), 4));
    expect(r.messenger.replies).toHaveLength(1);
    // The card still shows the count, though nobody is reminded.
    expect(JSON.stringify(r.messenger.patches.at(-1)!.card)).toContain('**发生次数**：4');
  });

  it('an alert acknowledged before its page is not paged', async () => {
    const r = router();
    r.muted.add('ApiDown');
    const stored = await r.route(open(critical()));
    await ack(r, stored!.alertId);
    r.muted.clear();
    await r.route(remind(nextEvent(stored!.alert), 2));
    expect(r.messenger.sends).toHaveLength(2); // the cards, now that the silence is over
    expect(r.messenger.urgents).toEqual([]);
  });
});

describe('related knowledge', () => {
  it('a new alert carries the best runbook section onto its cards; a failed lookup holds nothing up', async () => {
    const repo = new MemoryAlertRepository();
    const messenger = new RecordingMessenger();
    const deps = {
      repo,
      config,
      notifiers: [feishuCardNotifier(messenger, { timeZone: 'Asia/Shanghai' })],
      log: recordingLogger(),
      now: () => t0,
      relatedKnowledge: async (alert: Alert) =>
        alert.name === 'Broken'
          ? Promise.reject(new Error('kb down'))
          : { title: 'MySQL 从库复制延迟', section: '处理', source: 'https://wiki.example.com/mysql' },
    };
    const stored = await runAlertPath(open(makeAlert()), deps);
    expect(stored!.related).toEqual({
      title: 'MySQL 从库复制延迟',
      section: '处理',
      source: 'https://wiki.example.com/mysql',
    });
    const card = JSON.stringify(messenger.sends[0]!.card);
    expect(card).toContain('**相关知识**：MySQL 从库复制延迟 · 处理');
    expect(card).toContain('"default_url":"https://wiki.example.com/mysql"');
    const broken = await runAlertPath(open(makeAlert({ name: 'Broken', labels: { alertname: 'Broken' } })), deps);
    expect(broken!.related).toBeUndefined();
    expect(messenger.sends).toHaveLength(4);
  });
});
