import { describe, expect, it } from 'vitest';
import type { AlertingConfig } from '../../../lib/alerts/config.js';
import type { ForwardedAlert } from '../../../lib/alerts/dedup.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { parseMatcher } from '../../../lib/alerts/matchers.js';
import type { StoredAlert } from '../../../lib/alerts/repository.js';
import { incidentWakeupNotifier } from '../../../lib/alerts/notifiers/incident-wakeup.js';
import { runAlertBatch, runAlertPath } from '../../../lib/alerts/pipeline.js';
import type { AlertPathContext, MuteReason } from '../../../lib/alerts/stages/stage.js';
import { makeAlert, nextEvent } from '../fakes/alerts.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';
import { RecordingMetrics } from '../fakes/metrics.js';
import { RecordingQueue } from '../fakes/queue.js';
import { wakeupRunner } from '../fakes/worker.js';
import type { Wakeup } from '../../../lib/incidents/timers.js';
import { MAX_TRACKED_MEMBERS } from '../../../lib/incidents/model.js';
import { releaseMuted, type MuteRelease } from '../../../lib/incidents/release.js';
import { muteReleaseNotifier } from '../../../lib/alerts/notifiers/mute-release.js';
import type { WorkerDeps } from '../../../lib/incidents/worker.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');
const MINUTE = 60_000;

const config: AlertingConfig = {
  dedup: { defaultSeconds: 300, bySeverity: {} },
  collaboration: { warRoomSeverities: ['critical'] },
  routes: [
    {
      name: 'by-cluster',
      matchers: [],
      services: ['k8s'],
      chats: ['oc_k8s'],
      users: [],
      groupBy: ['cluster'],
      continue: false,
    },
    { name: 'default', matchers: [], chats: ['oc_ops'], users: [], team: 'sre', continue: false },
  ],
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
  flapping: { changes: 4, windowSeconds: 600 },
  policies: new Map(),
};

function router(extra: Partial<AlertPathContext> = {}) {
  const repo = new MemoryAlertRepository();
  const incidents = new MemoryIncidentRepository();
  const messenger = new RecordingMessenger();
  const log = recordingLogger();
  let clock = t0;
  const muted = new Set<string>();
  const wakeups = new RecordingQueue<Wakeup>();
  const context: AlertPathContext = {
    repo,
    incidents,
    config,
    notifiers: [incidentWakeupNotifier(wakeups)],
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
    ...extra,
  };
  // The incident worker, as incident-timers runs it: each wakeup that is due, in the order they were queued.
  const worker: WorkerDeps = {
    messenger,
    incidents,
    teams: config.teams,
    policies: config.policies,
    timeZone: 'Asia/Shanghai',
    now: () => new Date(clock).toISOString(),
    log,
    wakeups,
    // The clock stands still here: a wakeup due within the runner's horizon is run as if its time had come.
    sleep: async () => {},
    reminderEveryMs: config.reminderIntervalSeconds * 1000,
    metrics: extra.metrics,
  };
  const work = wakeupRunner(wakeups, worker, 1000);
  /** An alert event down the path, then whatever the incident worker was woken for. */
  const route = async (item: ForwardedAlert) => {
    const stored = await runAlertPath(item, context);
    await work();
    return stored;
  };
  /** The incident of a stored alert, as it is now. */
  const incidentOf = (alertId: string) => incidents.incidents.get(repo.alerts.get(alertId)!.incidentId!)!;
  return {
    repo,
    incidents,
    messenger,
    log,
    route,
    muted,
    /** The release of muted alerts (incident-timers), with the silences and inhibition of now. */
    release: (reason: string) =>
      releaseMuted(
        { release: 'mutes', at: new Date(clock).toISOString(), reason },
        {
          incidents,
          alerts: repo,
          muteReason: context.muteReason!,
          wakeups,
          now: worker.now,
          sleep: worker.sleep,
          log,
        },
      ).then(work),
    wakeups,
    work,
    /** Down the path only: the worker is not run. */
    path: (item: ForwardedAlert) => runAlertPath(item, context),
    /** A router batch down the path together (one event per fingerprint): the worker is not run. */
    batch: (items: ForwardedAlert[]) => runAlertBatch(items, context),
    incidentOf,
    at: (ms: number) => (clock = t0 + ms),
  };
}

const open = (alert: Alert, count = 1): ForwardedAlert => ({ alert, decision: 'open', count });
const remind = (alert: Alert, count: number): ForwardedAlert => ({ alert, decision: 'remind', count });
const resolve = (alert: Alert, count: number): ForwardedAlert => ({ alert, decision: 'resolve', count });

const template = (card: object) => (card as { header: { template: string } }).header.template;
const markdownOf = (card: object) => JSON.stringify(card);
const critical = (overrides: Partial<Alert> = {}) =>
  makeAlert({
    severity: 'critical',
    labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' },
    name: 'ApiDown',
    ...overrides,
  });
/** A member of one Alertmanager group: the same groupKey, its own pod. */
const member = (pod: string, severity: Alert['severity'] = 'critical') =>
  makeAlert({
    name: 'KubePodCrashLooping',
    severity,
    service: 'payments',
    labels: { alertname: 'KubePodCrashLooping', pod, namespace: 'prod', severity },
    group: '{}:{alertname="KubePodCrashLooping"}',
  });

describe('the alert path', () => {
  it('opens a warning: stores the alert in a new incident and sends its card to the route chat only, without paging', async () => {
    const r = router();
    const alert = makeAlert();
    const stored = await r.route(open(alert));
    expect(r.messenger.sends.map((send) => send.target)).toEqual([{ kind: 'chat', id: 'oc_ops' }]);
    expect(r.messenger.urgents).toEqual([]);
    expect(template(r.messenger.sends[0]!.card)).toBe('orange');
    const saved = r.repo.alerts.get(stored!.alertId)!;
    expect(saved).toMatchObject({
      status: 'firing',
      fingerprint: alert.fingerprint,
      openedBy: alert.eventId,
      plan: { routes: ['default'], onCall: { openId: 'ou_zhang' } },
    });
    const incident = r.incidentOf(stored!.alertId);
    expect(incident).toMatchObject({ state: 'triggered', firing: 1, resolved: 0, title: alert.name });
    expect(Object.keys(incident.members)).toEqual([stored!.alertId]);
    expect(incident.notifications).toEqual({ 'chat:oc_ops': 'om_1' });
  });

  it('pages a critical incident once by app, SMS and phone, on its card sent to the on-call person directly', async () => {
    const r = router();
    const stored = await r.route(open(critical()));
    // Escalation goes first, so the chat card already says who was paged.
    expect(r.messenger.sends.map((send) => send.target)).toEqual([
      { kind: 'user', id: 'ou_zhang' },
      { kind: 'chat', id: 'oc_ops' },
    ]);
    expect(template(r.messenger.sends[0]!.card)).toBe('red');
    expect(markdownOf(r.messenger.sends[1]!.card)).toContain(
      '已加急**：应用内加急：张伟、短信加急：张伟、电话加急：张伟',
    );
    expect(new Set(r.messenger.sends.map((send) => send.idempotencyKey)).size).toBe(2);
    const incident = r.incidentOf(stored!.alertId);
    const direct = incident.notifications['user:ou_zhang'];
    expect(r.messenger.urgents).toEqual([
      { messageId: direct, kind: 'app', openIds: ['ou_zhang'] },
      { messageId: direct, kind: 'sms', openIds: ['ou_zhang'] },
      { messageId: direct, kind: 'phone', openIds: ['ou_zhang'] },
    ]);
    expect(incident.escalation).toMatchObject({ policy: 'default', step: 1, pagedStep: 1 });
    expect(incident.escalation!.nextAt).toBeUndefined(); // the built-in policy has one level
    expect(incident.timeline.filter((entry) => entry.event === 'paged').map((entry) => entry.detail)).toEqual([
      '应用内加急：张伟',
      '短信加急：张伟',
      '电话加急：张伟',
    ]);
    // The router woke the incident's worker, which paged and then set a wakeup for its next timer: the reminder.
    const receivedAt = stored!.alert.receivedAt;
    expect(r.wakeups.sent).toEqual([
      { message: { incidentId: incident.incidentId, at: new Date(t0).toISOString(), receivedAt }, delaySeconds: 0 },
      { message: { incidentId: incident.incidentId, at: '2026-03-02T04:00:00.000Z' }, delaySeconds: 900 },
    ]);
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
    expect(r.incidents.incidents.size).toBe(1);
  });

  it('counts a repeat on the alert without touching its incident: no card update, no new card, no page, no reminder', async () => {
    const r = router();
    const alert = critical();
    const stored = await r.route(open(alert));
    const writes = r.incidents.writes.length;
    const patches = r.messenger.patches.length;
    r.at(6 * MINUTE);
    const later = await r.route(remind(nextEvent(alert), 4));
    expect(later!.alertId).toBe(stored!.alertId);
    expect(r.repo.alerts.get(stored!.alertId)!.count).toBe(4);
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toHaveLength(3);
    expect(r.messenger.patches).toHaveLength(patches);
    expect(r.messenger.replies).toEqual([]); // reminders come from the incident's timer, not from the source
    expect(r.incidents.writes.slice(writes)).toEqual([]);
  });

  it('turns the same cards green when the last member resolves, without sending or paging', async () => {
    const r = router();
    const alert = critical();
    const stored = await r.route(open(alert));
    // The on-call person's card, sent before the page, is brought up to date with who was paged.
    expect(r.messenger.patches.map((patch) => patch.messageId)).toEqual(['om_1']);
    r.at(10 * MINUTE);
    const resolved = await r.route(
      resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:09:30.000Z' }), 2),
    );
    expect(resolved!.status).toBe('resolved');
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents).toHaveLength(3);
    const green = r.messenger.patches.slice(1);
    expect(green.map((patch) => patch.messageId).sort()).toEqual(['om_1', 'om_2']);
    for (const patch of green) {
      expect(template(patch.card)).toBe('green');
      expect(markdownOf(patch.card)).toContain('已恢复');
    }
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-02T03:09:30.000Z',
    });
    expect(r.incidentOf(stored!.alertId)).toMatchObject({ state: 'resolved', firing: 0, resolved: 1 });
  });

  it('opens a new alert and a new incident with new cards when a resolved condition fires again', async () => {
    const r = router();
    const alert = makeAlert();
    const first = await r.route(open(alert));
    await r.route(resolve(nextEvent(alert, { status: 'resolved' }), 2));
    r.at(30 * MINUTE);
    const again = await r.route(open(nextEvent(alert, { startsAt: '2026-03-02T03:29:00.000Z' }), 3));
    expect(again!.alertId).not.toBe(first!.alertId);
    expect(again!.incidentId).not.toBe(first!.incidentId);
    expect(again!.status).toBe('firing');
    expect(r.messenger.sends).toHaveLength(2);
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
    expect(r.messenger.sends).toHaveLength(1);
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

  it('stores a resolution for an unknown fingerprint as resolved, in no incident, and sends nothing', async () => {
    const r = router();
    const alert = makeAlert({ status: 'resolved', endsAt: '2026-03-02T02:59:00.000Z' });
    const stored = await r.route(resolve(alert, 1));
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({
      status: 'resolved',
      resolvedAt: '2026-03-02T02:59:00.000Z',
    });
    expect(stored!.incidentId).toBeUndefined();
    expect(await r.repo.latest(alert.fingerprint)).toMatchObject({ alertId: stored!.alertId });
    expect(r.messenger.sends).toEqual([]);
    expect(r.messenger.patches).toEqual([]);
    expect(r.messenger.urgents).toEqual([]);
    expect(r.incidents.incidents.size).toBe(0);
    expect(r.log.lines.some((line) => line.level === 'warn')).toBe(true);

    await r.route(resolve(alert, 1));
    expect(r.messenger.sends).toEqual([]);
  });

  it('stores an info alert in its incident and notifies nobody', async () => {
    const r = router();
    const alert = makeAlert({ severity: 'info', labels: { alertname: 'CertExpiresIn30d', severity: 'info' } });
    const stored = await r.route(open(alert));
    expect(r.repo.alerts.get(stored!.alertId)).toMatchObject({ status: 'firing', severity: 'info' });
    expect(r.incidentOf(stored!.alertId).notifications).toEqual({});
    expect(r.messenger.sends).toEqual([]);
    expect(r.messenger.urgents).toEqual([]);
  });

  it('lets go of the step when every page fails and tries again shortly, sending the cards meanwhile', async () => {
    const r = router();
    r.messenger.failingUrgent.add('app').add('sms').add('phone');
    await r.route(open(critical()));
    const [incident] = [...r.incidents.incidents.values()];
    expect(incident!.escalation).toMatchObject({ step: 1, pagedStep: 0, leaseUntil: new Date(t0).toISOString() });
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.wakeups.sent.at(-1)).toEqual({
      message: { incidentId: incident!.incidentId, at: new Date(t0 + 2000).toISOString(), retries: 1 },
      delaySeconds: 2,
    });

    r.messenger.failingUrgent.clear();
    r.at(2000);
    await r.work();
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
    expect(r.incidents.incidents.get(incident!.incidentId)!.escalation).toMatchObject({ step: 1, pagedStep: 1 });
  });

  it('retries a failed phone call on its own: the calls that went through are not made again', async () => {
    const r = router();
    r.messenger.failingUrgent.add('phone');
    const stored = await r.route(open(critical()));
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms']);
    r.messenger.failingUrgent.clear();
    r.at(2000);
    await r.work();
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
    expect(r.incidentOf(stored!.alertId).escalation).toMatchObject({ step: 1, pagedStep: 1 });
  });

  it('still sends the on-call card and pages when a chat rejects the card, and sends that card once it can', async () => {
    const r = router();
    r.messenger.failingChats.add('oc_ops');
    const alert = critical();
    await r.route(open(alert));
    expect(r.messenger.sends.map((send) => send.target)).toEqual([{ kind: 'user', id: 'ou_zhang' }]);
    expect(r.messenger.urgents.map((u) => u.kind)).toEqual(['app', 'sms', 'phone']);

    r.messenger.failingChats.clear();
    r.at(2000);
    await r.work(); // the retry sends only what is missing, and pages nobody again
    expect(r.messenger.sends.map((send) => send.target)).toEqual([
      { kind: 'user', id: 'ou_zhang' },
      { kind: 'chat', id: 'oc_ops' },
    ]);
    expect(r.messenger.urgents).toHaveLength(3);
  });

  it('sends a card that could not be sent already green when the incident resolved meanwhile', async () => {
    const r = router();
    r.messenger.failingChats.add('oc_ops');
    const alert = makeAlert();
    await r.route(open(alert));
    expect(r.messenger.sends).toEqual([]);
    await r.route(resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:00:30.000Z' }), 2));
    r.messenger.failingChats.clear();
    r.at(5000);
    await r.work();
    expect(r.messenger.sends).toHaveLength(1);
    expect(template(r.messenger.sends[0]!.card)).toBe('green');
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
    expect(r.incidentOf(second!.alertId).state).toBe('triggered');
    expect(r.messenger.patches).toHaveLength(patchesBefore);
  });

  it('does not let an old firing overwrite a newer open alert', async () => {
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
    await r.route(item);
    const [incident] = [...r.incidents.incidents.values()];
    // As if another invocation had taken the step over and died before recording anything.
    r.incidents.incidents.get(incident!.incidentId)!.escalation!.leaseUntil = new Date(t0 + 2 * MINUTE).toISOString();
    r.messenger.failingUrgent.clear();
    r.at(MINUTE);
    await r.route(item);
    expect(r.messenger.urgents).toEqual([]);
    r.at(3 * MINUTE);
    await r.route(item);
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
  });

  it('notes only the first 20 refreshes of a long-firing alert on its timeline, and keeps its count', async () => {
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
  });
});

describe('incidents', () => {
  it('groups the members of one Alertmanager group into one incident: one card per target, patched as they come', async () => {
    const r = router();
    const pods = ['web-1', 'web-2', 'web-3'];
    const stored = [];
    for (const pod of pods) stored.push(await r.route(open(member(pod))));
    expect(new Set(stored.map((entry) => entry!.incidentId)).size).toBe(1);
    expect(r.messenger.sends.map((send) => send.target)).toEqual([
      { kind: 'user', id: 'ou_zhang' },
      { kind: 'chat', id: 'oc_ops' },
    ]);
    expect(r.messenger.urgents).toHaveLength(3); // paged once for the incident
    const last = r.messenger.patches.at(-1)!.card;
    expect(markdownOf(last)).toContain('3 条触发中，0 条已恢复');
    for (const pod of pods) expect(markdownOf(last)).toContain(`pod=${pod}`);
    expect(r.incidentOf(stored[0]!.alertId)).toMatchObject({ firing: 3, resolved: 0, state: 'triggered' });
    expect(r.incidentOf(stored[0]!.alertId).timeline.filter((entry) => entry.event === 'member_added')).toHaveLength(2);
  });

  it('keeps every member when the first members of a group arrive at once: the one whose create lost joins', async () => {
    const incidents = new MemoryIncidentRepository();
    // The second member read the group's pointer before the first had created the incident.
    let stale = 0;
    const r = router({
      incidents: new Proxy(incidents, {
        get: (target, name, receiver) =>
          stale && (name === 'forGroup' || name === 'get')
            ? async (id: string) => {
                stale--;
                return name === 'forGroup' ? { incidentId: (await target.forGroup(id))!.incidentId } : undefined;
              }
            : Reflect.get(target, name, receiver),
      }),
    });
    const first = await r.path(open(member('web-1', 'warning')));
    stale = 2;
    const second = await r.path(open(member('web-2', 'warning')));
    expect(second!.incidentId).toBe(first!.incidentId);
    const incident = incidents.incidents.get(first!.incidentId!)!;
    expect(incident).toMatchObject({ firing: 2 });
    expect(Object.keys(incident.members)).toHaveLength(2);
  });

  it('wakes the worker once for a burst of members, and one round shows them all', async () => {
    const r = router();
    for (const pod of ['web-1', 'web-2', 'web-3', 'web-4']) await r.path(open(member(pod, 'warning')));
    expect(r.wakeups.sent).toHaveLength(1);
    await r.work();
    expect(r.messenger.sends).toHaveLength(1);
    expect(markdownOf(r.messenger.sends[0]!.card)).toContain('4 条触发中');
    expect(r.messenger.patches).toEqual([]);
    // The next member after that round owes the card an update: it wakes the worker again, a quarter of a second
    // after the round (rounds stay that far apart however changes trickle in). SQS delays are whole seconds: the
    // message goes at once, and the worker waits out the 250 ms.
    await r.path(open(member('web-5', 'warning')));
    expect(r.wakeups.sent).toHaveLength(2);
    expect(r.wakeups.sent[1]).toMatchObject({ message: { at: new Date(t0 + 250).toISOString() }, delaySeconds: 0 });
  });

  it('counts members as they resolve, and turns the cards green when the last one does', async () => {
    const r = router();
    const alerts = ['web-1', 'web-2'].map((pod) => member(pod));
    for (const alert of alerts) await r.route(open(alert));
    r.at(5 * MINUTE);
    await r.route(resolve(nextEvent(alerts[0]!, { status: 'resolved', endsAt: '2026-03-02T03:04:00.000Z' }), 2));
    expect(markdownOf(r.messenger.patches.at(-1)!.card)).toContain('1 条触发中，1 条已恢复');
    expect(template(r.messenger.patches.at(-1)!.card)).toBe('red');
    await r.route(resolve(nextEvent(alerts[1]!, { status: 'resolved', endsAt: '2026-03-02T03:05:00.000Z' }), 2));
    const final = r.messenger.patches.slice(-2);
    expect(final.map((patch) => template(patch.card))).toEqual(['green', 'green']);
    expect(markdownOf(final[0]!.card)).toContain('0 条触发中，2 条已恢复');
    expect([...r.incidents.incidents.values()][0]).toMatchObject({ state: 'resolved', firing: 0, resolved: 2 });
  });

  it('keeps groups apart: another group key, a route groupBy label, or by default another name or service', async () => {
    const r = router();
    await r.route(open(member('web-1')));
    await r.route(
      open(
        makeAlert({
          name: 'KubePodCrashLooping',
          service: 'payments',
          labels: { alertname: 'KubePodCrashLooping', pod: 'x' },
          group: 'other',
        }),
      ),
    );
    const k8s = (cluster: string, pod: string) =>
      makeAlert({ name: 'NodeDown', service: 'k8s', labels: { alertname: 'NodeDown', cluster, pod } });
    await r.route(open(k8s('a', '1')));
    await r.route(open(k8s('a', '2')));
    await r.route(open(k8s('b', '1')));
    await r.route(open(makeAlert({ name: 'DiskFull', labels: { alertname: 'DiskFull' } })));
    await r.route(
      open(makeAlert({ name: 'DiskFull', service: 'db', labels: { alertname: 'DiskFull', host: 'db-1' } })),
    );
    const sizes = [...r.incidents.incidents.values()].map((incident) => `${incident.title}:${incident.firing}`).sort();
    expect(sizes).toEqual([
      'DiskFull:1',
      'DiskFull:1',
      'KubePodCrashLooping:1',
      'KubePodCrashLooping:1',
      'NodeDown:1',
      'NodeDown:2',
    ]);
  });

  it('raises the card to red when a critical member joins a warning incident, and pages then', async () => {
    const r = router();
    await r.route(open(member('web-1', 'warning')));
    expect(r.messenger.urgents).toEqual([]);
    expect(template(r.messenger.sends[0]!.card)).toBe('orange');
    await r.route(open(member('web-2', 'critical')));
    expect(template(r.messenger.patches.at(-1)!.card)).toBe('red');
    expect(r.messenger.urgents.map((urgent) => urgent.kind)).toEqual(['app', 'sms', 'phone']);
  });
});

describe('batches', () => {
  const memberWrites = (r: ReturnType<typeof router>) =>
    r.incidents.writes.filter((write) => write === 'create' || write === 'applyMembers');
  const stored = (results: PromiseSettledResult<StoredAlert | undefined>[]) =>
    results.map((result) => (result as PromiseFulfilledResult<StoredAlert>).value);

  it("applies a batch's members of one incident in one write, and wakes its worker once, after it", async () => {
    const r = router();
    const calls: string[] = [];
    for (const name of ['forGroup', 'claimGroup'] as const) {
      const call = r.incidents[name].bind(r.incidents) as (...args: unknown[]) => Promise<never>;
      r.incidents[name] = async (...args: unknown[]) => (calls.push(name), call(...args));
    }
    const first = stored(
      await r.batch(['web-1', 'web-2', 'web-3', 'web-4'].map((pod) => open(member(pod, 'warning')))),
    );
    expect(new Set(first.map((alert) => alert.incidentId)).size).toBe(1);
    expect(memberWrites(r)).toEqual(['create']);
    expect(calls).toEqual(['forGroup', 'claimGroup']); // the group is read and taken once for the batch
    const incident = r.incidentOf(first[0]!.alertId);
    expect(incident).toMatchObject({ firing: 4, version: 1 });
    expect(incident.timeline.filter((entry) => entry.event === 'member_added')).toHaveLength(3);
    expect(r.wakeups.sent).toHaveLength(1);
    await r.work();
    expect(markdownOf(r.messenger.sends[0]!.card)).toContain('4 条触发中');

    r.at(MINUTE);
    const later = stored(await r.batch(['web-5', 'web-6', 'web-7'].map((pod) => open(member(pod, 'warning')))));
    expect(memberWrites(r)).toEqual(['create', 'applyMembers']);
    expect(r.incidentOf(later[0]!.alertId)).toMatchObject({ firing: 7, version: 2 });
    expect(r.wakeups.sent).toHaveLength(2);
    await r.work();
    expect(r.messenger.patches.map((patch) => markdownOf(patch.card).includes('7 条触发中'))).toEqual([true]);
  });

  it('changes nothing when SQS delivers the same batch again, and wakes the worker once in case it had not', async () => {
    const r = router();
    const batch = ['web-1', 'web-2', 'web-3'].map((pod) => open(member(pod, 'warning')));
    const first = stored(await r.batch(batch));
    await r.work();
    const before = structuredClone(r.incidentOf(first[0]!.alertId));
    const writes = r.incidents.writes.length;
    const again = stored(await r.batch(batch));
    expect(again.map((alert) => alert.alertId)).toEqual(first.map((alert) => alert.alertId));
    expect(r.incidents.writes.length).toBe(writes);
    expect(r.incidentOf(first[0]!.alertId)).toEqual(before);
    expect(r.wakeups.sent).toHaveLength(2);
    await r.work();
    expect(r.messenger.sends).toHaveLength(1);
    expect(r.messenger.patches).toEqual([]);
  });

  it('works the change out again when another write got to the incident first, and keeps both', async () => {
    const r = router();
    const [opener] = stored(await r.batch([open(member('web-1', 'warning'))]));
    const incidentId = opener!.incidentId!;
    // Between this batch's read and its write, a person acknowledges the incident and another batch adds a member.
    const apply = r.incidents.applyMembers.bind(r.incidents);
    let raced = false;
    r.incidents.applyMembers = async (...args) => {
      if (!raced) {
        raced = true;
        await r.incidents.acknowledge(
          incidentId,
          { openId: 'ou_li' },
          { at: new Date(t0).toISOString(), event: 'acknowledged' },
        );
        const [other] = stored(await r.batch([open(member('web-9', 'warning'))]));
        expect(other!.incidentId).toBe(incidentId);
      }
      return apply(...args);
    };
    await r.batch(['web-2', 'web-3'].map((pod) => open(member(pod, 'warning'))));
    const incident = r.incidents.incidents.get(incidentId)!;
    expect(incident).toMatchObject({ state: 'acknowledged', firing: 4, version: 4 });
    expect(Object.keys(incident.members)).toHaveLength(4);
    expect(incident.timeline.filter((entry) => entry.event === 'member_added')).toHaveLength(3);
    expect(r.incidents.writes.filter((write) => write === 'applyMembers')).toEqual(['applyMembers', 'applyMembers']);
  });

  it('fails only the alerts of an incident whose write failed; the rest of the batch goes on', async () => {
    const r = router();
    const other = makeAlert({ name: 'DiskFull', labels: { alertname: 'DiskFull', host: 'db-1' } });
    await r.batch([open(member('web-1', 'warning')), open(other)]);
    r.incidents.applyMembers = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const results = await r.batch([
      open(member('web-2', 'warning')),
      open(member('web-3', 'warning')),
      open(makeAlert({ name: 'NodeDown', labels: { alertname: 'NodeDown' } })),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('resolves the members that leave in a batch and closes the incident in the same write', async () => {
    const r = router();
    const alerts = ['web-1', 'web-2', 'web-3'].map((pod) => member(pod, 'warning'));
    const first = stored(await r.batch(alerts.map((alert) => open(alert))));
    await r.work();
    r.at(5 * MINUTE);
    const endsAt = new Date(t0 + 4 * MINUTE).toISOString();
    await r.batch(alerts.map((alert) => resolve(nextEvent(alert, { status: 'resolved', endsAt }), 2)));
    expect(memberWrites(r)).toEqual(['create', 'applyMembers']);
    const incident = r.incidentOf(first[0]!.alertId);
    expect(incident).toMatchObject({ state: 'resolved', firing: 0, resolved: 3, version: 2 });
    expect(incident.timeline.map((entry) => entry.event).slice(-4)).toEqual([
      'member_resolved',
      'member_resolved',
      'member_resolved',
      'resolved',
    ]);
    await r.work();
    expect(template(r.messenger.patches.at(-1)!.card)).toBe('green');
  });

  it("notes the first 20 members' arrivals and departures on the timeline, and counts them all", async () => {
    const r = router();
    const alerts = Array.from({ length: 25 }, (_, i) => member(`web-${i}`, 'warning'));
    const [opener] = stored(await r.batch(alerts.map((alert) => open(alert))));
    r.at(MINUTE);
    const endsAt = new Date(t0 + MINUTE).toISOString();
    await r.batch(alerts.map((alert) => resolve(nextEvent(alert, { status: 'resolved', endsAt }), 2)));
    const incident = r.incidentOf(opener!.alertId);
    expect(incident).toMatchObject({ state: 'resolved', firing: 0, resolved: 25 });
    const noted = (event: string) => incident.timeline.filter((entry) => entry.event === event);
    expect(noted('member_added')).toHaveLength(20);
    expect(noted('member_resolved')).toHaveLength(20);
  });

  it('counts the members beyond the tracked ones, joining and leaving, in the same write', async () => {
    const r = router();
    const [opener] = stored(await r.batch([open(member('web-0', 'warning'))]));
    const full = r.incidentOf(opener!.alertId);
    for (let i = 1; i < MAX_TRACKED_MEMBERS; i++)
      full.members[`x${i}`] = { ...full.members[opener!.alertId]!, alertId: `x${i}` };
    full.firing = MAX_TRACKED_MEMBERS;
    const extra = ['web-1', 'web-2'].map((pod) => member(pod, 'warning'));
    await r.batch(extra.map((alert) => open(alert)));
    expect(r.incidentOf(opener!.alertId)).toMatchObject({ firing: MAX_TRACKED_MEMBERS + 2 });
    expect(Object.keys(r.incidentOf(opener!.alertId).members)).toHaveLength(MAX_TRACKED_MEMBERS);
    r.at(MINUTE);
    const endsAt = new Date(t0 + MINUTE).toISOString();
    await r.batch(extra.map((alert) => resolve(nextEvent(alert, { status: 'resolved', endsAt }), 2)));
    expect(r.incidentOf(opener!.alertId)).toMatchObject({ firing: MAX_TRACKED_MEMBERS, resolved: 2 });
    expect(memberWrites(r)).toEqual(['create', 'applyMembers', 'applyMembers']);
  });
});

describe('flapping', () => {
  /** One fire/resolve cycle of the same condition, `seconds` apart, from `start` seconds on. */
  const cycle = async (r: ReturnType<typeof router>, alert: Alert, start: number, count: number) => {
    r.at(start * 1000);
    const startsAt = new Date(t0 + start * 1000).toISOString();
    const firing = await r.route(open(nextEvent(alert, { startsAt }), count));
    r.at((start + 2) * 1000);
    const endsAt = new Date(t0 + (start + 2) * 1000).toISOString();
    await r.route(resolve(nextEvent(alert, { status: 'resolved', startsAt, endsAt }), count + 1));
    return firing!;
  };

  it('six fire/resolve cycles in 24 s: one incident, one card per target, one page, marked 抖动中 with the flaps counted', async () => {
    const r = router();
    const alert = critical();
    const firings = [];
    for (let i = 0; i < 6; i++) firings.push(await cycle(r, alert, i * 4, 2 * i + 1));
    expect(new Set(firings.map((stored) => stored.incidentId)).size).toBe(1);
    expect(r.messenger.sends.map((send) => send.target.id)).toEqual(['ou_zhang', 'oc_ops']);
    expect(r.messenger.urgents).toHaveLength(3); // app, SMS and phone, once
    const incident = r.incidentOf(firings[0]!.alertId);
    expect(incident).toMatchObject({ flaps: 5, firing: 0, resolved: 1, state: 'resolved' });
    expect(Object.keys(incident.members)).toEqual([firings[5]!.alertId]); // one condition, one member
    expect(incident.timeline.filter((entry) => entry.event === 'reopened').at(-1)?.detail).toContain('第 5 次');
    expect(incident.timeline.filter((entry) => entry.event === 'flapping')).toHaveLength(1);
    r.at(25 * 1000);
    await r.route(open(nextEvent(alert, { startsAt: new Date(t0 + 25_000).toISOString() }), 13));
    const card = r.messenger.patches.at(-1)!.card;
    expect((card as { header: { title: { content: string } } }).header.title.content).toContain('抖动中');
    expect(markdownOf(card)).toContain('恢复后再次触发 6 次');
    expect(r.messenger.urgents).toHaveLength(3);
  });

  it('a condition that fires again after a window of calm opens a new incident and is paged again', async () => {
    const r = router();
    const alert = critical();
    const first = await cycle(r, alert, 0, 1);
    r.at(11 * MINUTE);
    const again = await r.route(open(nextEvent(alert, { startsAt: new Date(t0 + 11 * MINUTE).toISOString() }), 3));
    expect(again!.incidentId).not.toBe(first.incidentId);
    expect(r.messenger.urgents).toHaveLength(6);
  });

  it('reopens a resolved incident whose group fires again soon: the same card turns red again, nobody is paged again', async () => {
    const r = router();
    const alert = critical();
    const first = await cycle(r, alert, 0, 1);
    r.at(3 * MINUTE);
    const again = await r.route(open(nextEvent(alert, { startsAt: new Date(t0 + 3 * MINUTE).toISOString() }), 3));
    expect(again!.incidentId).toBe(first.incidentId);
    expect(r.messenger.sends).toHaveLength(2);
    expect(template(r.messenger.patches.at(-1)!.card)).toBe('red');
    expect(r.messenger.urgents).toHaveLength(3);
    expect(r.incidentOf(again!.alertId).flappingUntil).toBeUndefined(); // two changes are not flapping
  });
});

describe('muting and acknowledging', () => {
  const ack = (r: ReturnType<typeof router>, incidentId: string) =>
    r.incidents.acknowledge(
      incidentId,
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
    expect(r.incidentOf(stored!.alertId).timeline.at(-1)).toMatchObject({ event: 'muted' });
    await r.route(remind(nextEvent(alert), 7));
    expect(r.repo.alerts.get(stored!.alertId)!.count).toBe(7);
    expect(r.messenger.sends).toEqual([]);
  });

  it('tells of a muted alert still firing as soon as its silence ends: its card is sent and it is paged', async () => {
    const r = router();
    const alert = critical();
    r.muted.add(alert.name);
    const stored = await r.route(open(alert));
    await r.release('静默 sil1 到期'); // still silenced: nothing changes
    expect(r.messenger.sends).toEqual([]);
    r.muted.delete(alert.name);
    await r.release('静默 sil1 到期');
    expect(r.messenger.sends.map((send) => send.target.id)).toEqual(['ou_zhang', 'oc_ops']);
    expect(r.messenger.urgents).toHaveLength(3);
    const incident = r.incidentOf(stored!.alertId);
    expect(incident.members[stored!.alertId]!.muted).toBe(false);
    expect(incident.timeline.find((entry) => entry.event === 'unmuted')).toMatchObject({
      event: 'unmuted',
      detail: '1 条告警解除屏蔽：静默 sil1 到期',
    });
    await r.release('静默 sil1 到期'); // once only
    expect(r.messenger.sends).toHaveLength(2);
  });

  it('asks for the release two seconds after an alert that can inhibit others resolves, and only then', async () => {
    const queue = new RecordingQueue<MuteRelease>();
    const rules = [
      { name: 'down-mutes-warnings', source: [parseMatcher('alertname="ServiceDown"')], target: [], equal: [] },
    ];
    const notifier = muteReleaseNotifier(queue, rules);
    const down = makeAlert({ name: 'ServiceDown', labels: { alertname: 'ServiceDown' } });
    const other = makeAlert({ name: 'DiskFull', labels: { alertname: 'DiskFull' } });
    const stored = (alert: Alert) => ({ alert }) as StoredAlert;
    const context = {
      now: () => new Date(t0).toISOString(),
      log: recordingLogger(),
      repo: new MemoryAlertRepository(),
      incidents: new MemoryIncidentRepository(),
    };
    await notifier.notify({ stored: stored(down), decision: 'open', changed: true }, context);
    await notifier.notify({ stored: stored(other), decision: 'resolve', changed: true }, context);
    expect(queue.sent).toEqual([]);
    await notifier.notify({ stored: stored(down), decision: 'resolve', changed: true }, context);
    expect(queue.sent).toEqual([
      {
        message: {
          release: 'mutes',
          at: new Date(t0 + 2000).toISOString(),
          reason: expect.stringContaining('ServiceDown'),
        },
        delaySeconds: 2,
      },
    ]);
  });

  it('cards already sent are still updated while muted, and a resolution turns them green', async () => {
    const r = router();
    const alert = critical();
    await r.route(open(alert));
    r.muted.add(alert.name);
    await r.route(resolve(nextEvent(alert, { status: 'resolved', endsAt: '2026-03-02T03:10:00.000Z' }), 2));
    expect(r.messenger.sends).toHaveLength(2);
    expect(r.messenger.patches.map((patch) => template(patch.card))).toEqual(['red', 'green', 'green']);
  });

  it('an incident acknowledged before its page is not paged', async () => {
    const r = router();
    r.muted.add('ApiDown');
    const stored = await r.route(open(critical()));
    await ack(r, stored!.incidentId!);
    // Chat wakes the incident's worker after an acknowledgement, as it does after every change it makes.
    await r.wakeups.sendAll([{ incidentId: stored!.incidentId!, at: new Date(t0).toISOString() }]);
    r.muted.clear();
    await r.route(remind(nextEvent(stored!.alert), 2));
    expect(r.messenger.sends.map((send) => send.target)).toEqual([{ kind: 'chat', id: 'oc_ops' }]); // now the silence is over
    expect(r.messenger.urgents).toEqual([]);
  });
});

describe('related knowledge', () => {
  it('a new alert carries the best runbook section onto its incident card; a failed lookup holds nothing up', async () => {
    const r = router({
      relatedKnowledge: async (alert: Alert) =>
        alert.name === 'Broken'
          ? Promise.reject(new Error('kb down'))
          : { title: 'MySQL 从库复制延迟', section: '处理', source: 'https://wiki.example.com/mysql' },
    });
    const stored = await r.route(open(makeAlert()));
    expect(stored!.related).toEqual({
      title: 'MySQL 从库复制延迟',
      section: '处理',
      source: 'https://wiki.example.com/mysql',
    });
    const card = markdownOf(r.messenger.sends[0]!.card);
    expect(card).toContain('**相关知识**：MySQL 从库复制延迟');
    expect(card).toContain('"default_url":"https://wiki.example.com/mysql"');
    const broken = await r.route(open(makeAlert({ name: 'Broken', labels: { alertname: 'Broken' } })));
    expect(broken!.related).toBeUndefined();
    expect(r.messenger.sends).toHaveLength(2);
  });
});

describe('metrics', () => {
  it('counts muted and notified alerts by source and severity, once each, and alert→card from the receipt', async () => {
    const metrics = new RecordingMetrics();
    const r = router({ metrics });
    const alert = critical({ receivedAt: new Date(t0 - 120).toISOString() });
    const stored = await r.route(open(alert));
    await r.path(open(alert)); // an SQS redelivery: counted once
    r.muted.add('Quiet');
    await r.route(open(makeAlert({ name: 'Quiet', labels: { alertname: 'Quiet' } })));
    await r.route(open(makeAlert({ severity: 'info', labels: { alertname: 'Info', severity: 'info' } })));
    await r.route(resolve(nextEvent(stored!.alert, { status: 'resolved', receivedAt: new Date(t0).toISOString() }), 2));
    expect(metrics.added.filter((entry) => entry.name !== 'AlertToCard')).toEqual([
      { name: 'AlertsNotified', dimensions: { Source: 'alertmanager', Severity: 'critical' }, value: 1 },
      { name: 'AlertsMuted', dimensions: { Source: 'alertmanager', Severity: 'warning' }, value: 1 },
      { name: 'AlertsNotified', dimensions: { Source: 'alertmanager', Severity: 'critical' }, value: 1 },
    ]);
    // The opening card, 120 ms after receipt on this clock; the green card when the resolution came.
    expect(metrics.values('AlertToCard')).toEqual([120, 0]);
  });
});
