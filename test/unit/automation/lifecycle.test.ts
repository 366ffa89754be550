import type { TimelineEntry } from '../../../lib/alerts/repository.js';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { decideApproval, expireIfDue } from '../../../lib/automation/approvals.js';
import { verifyAudit } from '../../../lib/automation/audit.js';
import { loadAutomationConfig } from '../../../lib/automation/config.js';
import type { ActionOutcome, Executor } from '../../../lib/automation/executor.js';
import { ExpectedError } from '../../../lib/lambda/errors.js';
import { requestCards } from '../../../lib/automation/cards.js';
import { handleAutomationTask, type RunnerDeps } from '../../../lib/automation/runner.js';
import { submitRequest, type AutomationDeps } from '../../../lib/automation/submit.js';
import type { AutomationTask } from '../../../lib/automation/tasks.js';
import { MemoryAuditStore } from '../fakes/audit-store.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';
import { RecordingMetrics } from '../fakes/metrics.js';
import { MemoryRequestStore } from '../fakes/request-store.js';

const config = loadAutomationConfig(fileURLToPath(new URL('../../../config', import.meta.url)));
const lina = { kind: 'person' as const, actor: { openId: 'ou_sre_lina', name: '李娜' } };
const MINUTE = 60_000;

let clock: number;
let queued: { task: AutomationTask; delaySeconds?: number }[];
let requests: MemoryRequestStore;
let audit: MemoryAuditStore;
let messenger: RecordingMessenger;
let runs: Record<string, unknown>[];
let outcome: ActionOutcome | Error;
let deps: AutomationDeps & RunnerDeps;
const noted: { incidentId: string; entry: TimelineEntry }[] = [];

beforeEach(() => {
  clock = Date.parse('2026-11-24T03:00:00Z');
  queued = [];
  requests = new MemoryRequestStore();
  audit = new MemoryAuditStore();
  messenger = new RecordingMessenger();
  runs = [];
  outcome = {
    ok: true,
    summary: '已重启 nginx（web-01），服务运行中',
    output: '$ systemctl restart nginx\n$ systemctl is-active nginx → active',
  };
  const executor: Executor = async (args) => {
    runs.push(args);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const log = recordingLogger();
  noted.length = 0;
  deps = {
    requests,
    audit,
    queue: {
      sendAll: async (tasks, options) => (
        tasks.forEach((task) => queued.push({ task, delaySeconds: options?.delaySeconds })),
        { failed: [], requests: 1 }
      ),
    },
    inventory: config.inventory,
    automation: config.automation,
    noteOnIncident: async (incidentId, entry) => void noted.push({ incidentId, entry }),
    now: () => clock,
    log,
    timeZone: 'Asia/Shanghai',
    executors: { restart_service: executor, http_check: executor },
    cards: requestCards(messenger, requests, { timeZone: 'Asia/Shanghai', log }),
  };
});

/** lina restarts nginx on the staging host, where nothing waits for approval. */
const restartInStaging = (requestId: string) =>
  submitRequest(
    {
      requestId,
      action: 'restart_service',
      args: { host: 'staging-web-01', unit: 'nginx' },
      requester: lina,
      messageId: `om_${requestId}`,
    },
    deps,
  );

/** Runs what the queue holds, as the automation-runner would (delays ignored unless `at` is given). */
async function drain() {
  while (queued.length) await handleAutomationTask(queued.shift()!.task, deps);
}

const restart = (requester = lina, requestId = 'req-1') =>
  submitRequest(
    {
      requestId,
      action: 'restart_service',
      args: { host: 'web-01', unit: 'nginx' },
      requester,
      chatId: 'oc_ops',
      messageId: 'om_ask',
    },
    deps,
  );

const cardTitles = () =>
  [...messenger.sends, ...messenger.replies.map((r) => ({ card: (r.message as { card: object }).card }))]
    .concat(messenger.patches)
    .map((c) => (c.card as { header: { title: { content: string } } }).header.title.content);

describe('an automation request from chat', () => {
  it("asked in an incident's war room, puts how it ended on that incident's timeline, with the request", async () => {
    await submitRequest(
      {
        requestId: 'req-room',
        action: 'restart_service',
        args: { host: 'staging-web-01', unit: 'nginx' },
        requester: lina,
        chatId: 'oc_room',
        messageId: 'om_room',
        incidentId: '9c2e4b1a7d3f',
      },
      deps,
    );
    await drain();
    expect(noted).toEqual([
      {
        incidentId: '9c2e4b1a7d3f',
        entry: expect.objectContaining({
          event: 'action',
          detail: expect.stringMatching(/^重启服务 host=staging-web-01 unit=nginx：成功/),
          ref: 'req-room',
          actor: 'ou_sre_lina',
        }),
      },
    ]);
    await restartInStaging('req-plain');
    await drain();
    expect(noted).toHaveLength(1);
  });

  it('in prod waits for a second person, then runs once, and every step is in the audit chain', async () => {
    const submitted = await restart();
    expect(submitted).toMatchObject({
      ok: true,
      request: { status: 'pending_approval', environment: 'prod', target: 'web-01/nginx' },
    });
    const request = (submitted as { request: { approval: { approvers: string[] } } }).request;
    expect(request.approval.approvers).not.toContain('ou_sre_lina');
    expect(queued).toEqual([{ task: { kind: 'expire', requestId: 'req-1' }, delaySeconds: 900 }]);
    queued.length = 0;
    await deps.cards.show((await requests.get('req-1'))!);
    expect(messenger.sends.map((s) => s.target.id).sort()).toEqual(['ou_pay_chenjing', 'ou_sre_zhangwei']);

    expect(await decideApproval('req-1', { openId: 'ou_sre_lina' }, true, deps)).toMatchObject({
      changed: false,
      message: expect.stringContaining('不能审批自己'),
    });
    expect(await decideApproval('req-1', { openId: 'ou_pay_liuyang' }, true, deps)).toMatchObject({
      changed: false,
      message: '你不是该请求的审批人',
    });
    clock += MINUTE;
    expect(await decideApproval('req-1', { openId: 'ou_sre_zhangwei', name: '张伟' }, true, deps)).toMatchObject({
      changed: true,
      message: '已批准，开始执行',
    });
    expect(await decideApproval('req-1', { openId: 'ou_pay_chenjing' }, false, deps)).toMatchObject({
      changed: false,
      message: expect.stringContaining('已批准'),
    });
    await drain();
    expect(runs).toEqual([{ host: 'web-01', unit: 'nginx' }]);
    expect(await requests.get('req-1')).toMatchObject({
      status: 'succeeded',
      summary: '已重启 nginx（web-01），服务运行中',
      outputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(cardTitles()).toContain('[成功] 重启服务');
    expect([...audit.byNumber.values()].map((r) => r.kind)).toEqual([
      'requested',
      'approval_requested',
      'approved',
      'started',
      'succeeded',
    ]);
    expect([...audit.byNumber.values()].map((r) => r.actor)).toEqual([
      { openId: 'ou_sre_lina' },
      { openId: 'ou_sre_lina' },
      { openId: 'ou_sre_zhangwei' },
      { openId: 'ou_sre_lina' },
      { openId: 'ou_sre_lina' },
    ]);
    expect(await verifyAudit(audit)).toMatchObject({ ok: true, records: 5 });

    // The expiry timer fires later and finds nothing to expire.
    await expireIfDue('req-1', deps);
    expect((await requests.get('req-1'))!.status).toBe('succeeded');
  });

  it('in staging runs without approval; a redelivered message runs nothing twice', async () => {
    await restartInStaging('req-s');
    await drain();
    await restartInStaging('req-s');
    await drain();
    expect(runs).toHaveLength(1);
    expect((await requests.get('req-s'))!.status).toBe('succeeded');
  });

  it('denies with the reason and audits it; nothing runs', async () => {
    const result = await submitRequest(
      {
        requestId: 'req-d',
        action: 'restart_service',
        args: { host: 'web-01', unit: 'nginx' },
        requester: { kind: 'person', actor: { openId: 'ou_pay_liuyang' } },
        messageId: 'om_d',
      },
      deps,
    );
    expect(result).toMatchObject({
      ok: true,
      request: { status: 'denied', summary: expect.stringContaining('需要角色：responder 或 admin') },
    });
    await drain();
    expect(runs).toEqual([]);
    expect([...audit.byNumber.values()].map((r) => r.kind)).toEqual(['requested', 'denied']);
  });

  it('no injection attempt from chat reaches an executor', async () => {
    const corpus = [
      'nginx; reboot',
      'nginx && reboot',
      '$(reboot)',
      '`reboot`',
      'nginx\nreboot',
      '../../bin/sh',
      '-rf',
      'nginx|sh',
    ];
    for (const [i, value] of corpus.entries()) {
      for (const args of [
        { host: 'web-01', unit: value },
        { host: value, unit: 'nginx' },
      ]) {
        expect(
          await submitRequest(
            {
              requestId: `inj-${i}-${args.host === value}`,
              action: 'restart_service',
              args,
              requester: lina,
              messageId: 'om_inj',
            },
            deps,
          ),
        ).toMatchObject({ ok: false });
      }
    }
    await drain();
    expect(runs).toEqual([]);
    expect(requests.requests.size).toBe(0);
  });

  it('refuses bad arguments and unknown targets before anything is recorded', async () => {
    expect(
      await submitRequest(
        { requestId: 'x', action: 'restart_service', args: { host: 'web-01', unit: 'nginx;reboot' }, requester: lina },
        deps,
      ),
    ).toMatchObject({ ok: false, problem: expect.stringContaining('unit') });
    expect(
      await submitRequest(
        { requestId: 'y', action: 'restart_service', args: { host: 'db-99', unit: 'nginx' }, requester: lina },
        deps,
      ),
    ).toEqual({ ok: false, problem: '主机 db-99 不在清单中' });
    expect(audit.byNumber.size).toBe(0);
  });

  it('a rejection is final and reported; an approval after the deadline expires the request', async () => {
    await restart();
    await decideApproval('req-1', { openId: 'ou_pay_chenjing' }, false, deps);
    await drain();
    expect(await requests.get('req-1')).toMatchObject({
      status: 'rejected',
      approval: { decidedBy: { openId: 'ou_pay_chenjing' } },
    });
    expect(runs).toEqual([]);

    await restart(lina, 'req-2');
    clock += 16 * MINUTE;
    expect(await decideApproval('req-2', { openId: 'ou_sre_zhangwei' }, true, deps)).toMatchObject({
      changed: false,
      message: expect.stringContaining('已过期'),
    });
    expect((await requests.get('req-2'))!.status).toBe('expired');
    expect([...audit.byNumber.values()].map((r) => r.kind).slice(-1)).toEqual(['expired']);
  });

  it('the timer expires an approval nobody decided, and says so on the cards', async () => {
    await restart();
    await deps.cards.show((await requests.get('req-1'))!);
    clock += 15 * MINUTE;
    queued.length = 0;
    await expireIfDue('req-1', deps);
    await drain();
    expect((await requests.get('req-1'))!).toMatchObject({
      status: 'expired',
      summary: expect.stringContaining('无人审批'),
    });
    // the progress card and both approval cards
    expect(cardTitles().filter((t) => t.includes('审批已过期')).length).toBeGreaterThanOrEqual(3);
  });

  it('one run at a time per target: a second request for a busy target is refused, not queued behind', async () => {
    await requests.lockTarget('staging-web-01/nginx', 'someone-else', clock, clock + 10 * MINUTE);
    await submitRequest(
      {
        requestId: 'req-b',
        action: 'restart_service',
        args: { host: 'staging-web-01', unit: 'nginx' },
        requester: lina,
        messageId: 'om_b',
      },
      deps,
    );
    await drain();
    expect(runs).toEqual([]);
    expect(await requests.get('req-b')).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('已有其他操作在执行'),
    });
  });

  it('an expected executor failure is a failed request that says why in Chinese; the English goes to the log', async () => {
    outcome = new ExpectedError(
      '无法连接 staging-web-01（10.1.1.11:22）：连接被拒绝',
      'staging-web-01 (10.1.1.11:22): connect ECONNREFUSED 10.1.1.11:22',
    );
    await restartInStaging('req-f');
    await drain();
    expect(await requests.get('req-f')).toMatchObject({
      status: 'failed',
      summary: '无法连接 staging-web-01（10.1.1.11:22）：连接被拒绝',
      outputTail: '',
    });
    expect(requests.locks.size).toBe(0);
    expect([...audit.byNumber.values()].at(-1)).toMatchObject({
      kind: 'failed',
      outcome: '无法连接 staging-web-01（10.1.1.11:22）：连接被拒绝',
    });
    const logged = (deps.log as ReturnType<typeof recordingLogger>).lines.find((l) => l.message === 'action failed');
    expect(logged).toMatchObject({ level: 'warn', fields: { requestId: 'req-f', error: outcome } });
  });

  it('an unforeseen executor fault says so in Chinese, and is logged as an error (with its stack)', async () => {
    outcome = new TypeError("Cannot read properties of undefined (reading 'exitCode')");
    await restartInStaging('req-g');
    await drain();
    expect(await requests.get('req-g')).toMatchObject({ status: 'failed', summary: '执行出错：意外错误，详情见日志' });
    const logged = (deps.log as ReturnType<typeof recordingLogger>).lines.find((l) => l.message === 'action failed');
    expect(logged).toMatchObject({ level: 'error', fields: { error: outcome } });
  });

  it('counts every run by how it ended: succeeded, failed, refused', async () => {
    const metrics = new RecordingMetrics();
    deps.metrics = metrics;
    const staging = (requestId: string, host: string) =>
      submitRequest(
        { requestId, action: 'restart_service', args: { host, unit: 'nginx' }, requester: lina, messageId: requestId },
        deps,
      );
    await staging('req-ok', 'staging-web-01');
    await drain();
    outcome = new Error('connect ECONNREFUSED 10.1.1.11:22');
    await staging('req-err', 'staging-web-01');
    await drain();
    await requests.lockTarget('staging-web-01/nginx', 'someone-else', clock, clock + 10 * MINUTE);
    await staging('req-busy', 'staging-web-01');
    await drain();
    expect(metrics.added.map((entry) => entry.dimensions.Outcome)).toEqual(['succeeded', 'failed', 'refused']);
  });
});
