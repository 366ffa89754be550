import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadAutomationConfig, type AutomationConfig } from '../../../lib/automation/config.js';
import type { ActionOutcome, Executor } from '../../../lib/automation/executor.js';
import { requestCards } from '../../../lib/automation/cards.js';
import { handleAutomationTask, type RunnerDeps } from '../../../lib/automation/runner.js';
import { matchingRules, templateArgs } from '../../../lib/automation/heal-rules.js';
import type { HealDeps } from '../../../lib/automation/self-heal.js';
import type { AutomationTask } from '../../../lib/automation/tasks.js';
import type { StoredAlert } from '../../../lib/alerts/repository.js';
import { makeAlert } from '../fakes/alerts.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { MemoryAuditStore } from '../fakes/audit-store.js';
import { MemoryHealLedger } from '../fakes/heal-ledger.js';
import { recordingLogger } from '../fakes/logger.js';
import { feishuCalloutNotifier } from '../../../lib/alerts/notifiers/feishu-callout.js';
import { RecordingMessenger } from '../fakes/messenger.js';
import { MemoryRequestStore } from '../fakes/request-store.js';

const loaded = loadAutomationConfig(fileURLToPath(new URL('../../../config', import.meta.url)));
const MINUTE = 60_000;

let clock: number;
let queue: { task: AutomationTask; delaySeconds?: number }[];
let alerts: MemoryAlertRepository;
let incidents: MemoryIncidentRepository;
let audit: MemoryAuditStore;
let messenger: RecordingMessenger;
let runs: Record<string, unknown>[];
let outcome: ActionOutcome;
let automation: AutomationConfig;
let deps: RunnerDeps;

function nginxDown(host = 'web-01', alertId = 'a00000000001'): StoredAlert {
  const alert = makeAlert({
    name: 'NginxDown',
    severity: 'critical',
    service: 'nginx',
    host,
    labels: { alertname: 'NginxDown', severity: 'critical', instance: `${host}:9113` },
  });
  return {
    alertId,
    fingerprint: alert.fingerprint,
    status: 'firing',
    severity: 'critical',
    alert,
    firstSeenAt: new Date(clock).toISOString(),
    lastSeenAt: new Date(clock).toISOString(),
    countBase: 1,
    count: 1,
    openedBy: alert.eventId,
    lastEventId: alert.eventId,
    timeline: [],
    plan: {
      routes: ['default'],
      targets: [
        { kind: 'chat', id: 'oc_ops' },
        { kind: 'user', id: 'ou_sre_lina' },
      ],
      onCall: { name: '李娜', openId: 'ou_sre_lina' },
      channels: ['card'],
    },
    incidentId: `i${alertId.slice(1)}`,
  };
}

/** An alert and its incident, whose cards went to the chat and to the on-call person. */
async function store(stored: StoredAlert) {
  await alerts.create(stored);
  await incidents.create({
    incidentId: stored.incidentId!,
    groupKey: stored.alertId,
    state: 'triggered',
    title: stored.alert.name,
    service: stored.alert.service,
    members: {},
    firing: 1,
    resolved: 0,
    plan: stored.plan,
    notifications: { 'chat:oc_ops': 'om_chat_card', 'user:ou_sre_lina': 'om_lina_card' },
    version: 1,
    openedAt: stored.firstSeenAt,
    updatedAt: stored.firstSeenAt,
    timeline: [],
  });
}

beforeEach(() => {
  clock = Date.parse('2026-11-24T03:00:00Z');
  queue = [];
  alerts = new MemoryAlertRepository();
  incidents = new MemoryIncidentRepository();
  audit = new MemoryAuditStore();
  messenger = new RecordingMessenger();
  runs = [];
  outcome = { ok: true, summary: '已重启 nginx（web-01），服务运行中', output: 'ok' };
  automation = structuredClone(loaded.automation);
  const executor: Executor = async (args) => (runs.push(args), outcome);
  const requests = new MemoryRequestStore();
  const log = recordingLogger();
  const common = {
    requests,
    audit,
    queue: {
      sendAll: async (tasks: AutomationTask[], options?: { delaySeconds?: number }) => (
        tasks.forEach((task) => queue.push({ task, delaySeconds: options?.delaySeconds })),
        { failed: [], requests: 1 }
      ),
    },
    now: () => clock,
    log,
  };
  const healing: HealDeps = {
    ...common,
    inventory: loaded.inventory,
    automation,
    alerts,
    incidents,
    ledger: new MemoryHealLedger(),
    callout: feishuCalloutNotifier(messenger),
    noteOnIncident: (incidentId, entry) => incidents.appendTimeline(incidentId, [entry]),
  };
  deps = {
    ...common,
    timeZone: 'Asia/Shanghai',
    executors: { restart_service: executor },
    cards: requestCards(messenger, requests, { timeZone: 'Asia/Shanghai', log }),
    healing,
    noteOnIncident: healing.noteOnIncident,
  };
});

/** Runs the queue; delayed tasks run too, with the clock moved past their delay. */
async function drain() {
  while (queue.length) {
    const { task, delaySeconds } = queue.shift()!;
    if (delaySeconds) clock += delaySeconds * 1000;
    await handleAutomationTask(task, deps);
  }
}

const heal = async (stored: StoredAlert) => {
  await store(stored);
  queue.push({ task: { kind: 'heal', alertId: stored.alertId, rule: 'restart-nginx-when-down' } });
  await drain();
};
const timeline = (alertId: string) => alerts.alerts.get(alertId)!.timeline.map((entry) => entry.detail ?? entry.event);
const auditKinds = () => [...audit.byNumber.values()].map((record) => record.kind);

describe('self-healing', () => {
  it('matches rules on the alert and fills the arguments from it', () => {
    const stored = nginxDown();
    expect(matchingRules(stored.alert, automation.selfHealing.rules).map((rule) => rule.name)).toEqual([
      'restart-nginx-when-down',
    ]);
    expect(matchingRules(makeAlert({ name: 'DiskFull', severity: 'critical' }), automation.selfHealing.rules)).toEqual(
      [],
    );
    expect(templateArgs(automation.selfHealing.rules[0]!.args, stored.alert)).toEqual({
      host: 'web-01',
      unit: 'nginx',
    });
  });

  it('runs the action as the rule, audited, then verifies that the alert resolved', async () => {
    const stored = nginxDown();
    await store(stored);
    queue.push({ task: { kind: 'heal', alertId: stored.alertId, rule: 'restart-nginx-when-down' } });
    // The alert resolves while the verification waits.
    const resolveSoon = queue.length;
    await handleAutomationTask(queue.shift()!.task, deps); // heal → run queued
    await handleAutomationTask(queue.shift()!.task, deps); // run → verify queued
    expect(resolveSoon).toBe(1);
    await alerts.resolve(stored.alertId, { ...stored.alert, status: 'resolved' }, 2, {
      at: new Date(clock).toISOString(),
      event: 'resolved',
    });
    await drain();
    expect(runs).toEqual([{ host: 'web-01', unit: 'nginx' }]);
    expect(auditKinds()).toEqual(['requested', 'started', 'succeeded', 'verified']);
    expect([...audit.byNumber.values()][0]!.actor).toEqual({ rule: 'restart-nginx-when-down' });
    expect(timeline(stored.alertId).at(-1)).toContain('已见效');
    expect(messenger.urgents).toEqual([]);
  });

  it('escalates with a reply and a page when the alert is still firing after the run', async () => {
    await heal(nginxDown());
    expect(runs).toHaveLength(1);
    expect(auditKinds()).toEqual(['requested', 'started', 'succeeded', 'escalated']);
    const reply = messenger.replies.find((entry) => entry.messageId === 'om_chat_card')!;
    const card = JSON.stringify((reply.message as { card: object }).card);
    expect(card).toContain('自愈未能处理告警「NginxDown」');
    expect(card).toContain('restart&#95;service host=web-01 unit=nginx');
    expect(card).toContain('执行后 5 分钟内未见效');
    expect(messenger.urgents.map((urgent) => [urgent.messageId, urgent.kind])).toEqual([
      ['om_lina_card', 'app'],
      ['om_lina_card', 'phone'],
    ]);
  });

  it('escalates at once when the run fails', async () => {
    outcome = { ok: false, summary: '已执行重启，但 nginx（web-01）未进入运行状态：failed', output: '' };
    await heal(nginxDown());
    expect(auditKinds()).toEqual(['requested', 'started', 'failed', 'escalated']);
    expect(timeline('a00000000001').at(-1)).toMatch(/已升级给值班人：执行失败：已执行重启，但 nginx/);
  });

  it('a second alert for the same target inside the cooldown is not run: people are called instead', async () => {
    const stored = nginxDown();
    await store(stored);
    await alerts.resolve(stored.alertId, { ...stored.alert, status: 'resolved' }, 2, {
      at: new Date(clock).toISOString(),
      event: 'resolved',
    });
    queue.push({ task: { kind: 'heal', alertId: stored.alertId, rule: 'restart-nginx-when-down' } });
    await drain(); // resolved before it started: nothing to do
    expect(runs).toEqual([]);
    await heal(nginxDown('web-01', 'a00000000002'));
    clock += 10 * MINUTE;
    await heal(nginxDown('web-01', 'a00000000003'));
    expect(runs).toHaveLength(1);
    expect(auditKinds()).toContain('guardrail_stopped');
    expect(timeline('a00000000003').at(-1)).toMatch(/护栏阻止了自愈：同一目标在冷却期内/);
  });

  it('stops at the rule’s hourly limit and at the global one', async () => {
    automation.selfHealing.rules[0]!.cooldown = 1;
    for (let i = 0; i < 4; i++) {
      await heal(nginxDown('web-01', `b0000000000${i}`));
      clock += 2_000;
    }
    expect(runs).toHaveLength(3);
    expect(timeline('b00000000003').at(-1)).toMatch(/规则 restart-nginx-when-down 已达上限（每小时 3 次）/);
    automation.selfHealing.maxRunsPerHour = 3;
    automation.selfHealing.rules[0]!.maxRunsPerHour = 10;
    clock += 2_000;
    await heal(nginxDown('web-01', 'b00000000009'));
    expect(timeline('b00000000009').at(-1)).toMatch(/全局自愈次数已达上限/);
  });

  it('in dry-run mode only notes what it would do', async () => {
    automation.selfHealing.rules[0]!.dryRun = true;
    await heal(nginxDown());
    expect(runs).toEqual([]);
    expect(auditKinds()).toEqual(['dry_run']);
    expect(timeline('a00000000001').at(-1)).toBe(
      '自愈规则 restart-nginx-when-down（演练模式）：将执行 restart_service host=web-01 unit=nginx，未实际执行',
    );
  });

  it('a label that is not a plain host name never reaches an executor', async () => {
    await heal(nginxDown('web-01;reboot'));
    expect(runs).toEqual([]);
    expect(timeline('a00000000001').at(-1)).toMatch(/请求未通过检查：host：主机名只能包含/);
  });
});
