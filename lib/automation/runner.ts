import type { Metrics } from '../lambda/metrics.js';
import { within } from '../lambda/within.js';
import { appendAudit, outputDigest } from './audit.js';
import type { ActionExecutors } from './action-executors.js';
import { findAction, type ActionName } from './actions.js';
import { expireIfDue } from './approvals.js';
import { tail, type ActionOutcome } from './executor.js';
import { ExpectedError } from '../lambda/errors.js';
import type { IncidentNote } from '../incidents/timeline.js';
import { actionRun, type RequestCards } from './cards.js';
import type { AutomationRequest } from './requests.js';
import { auditEntry } from './requests.js';
import type { AutomationDeps } from './submit.js';
import { afterHealingRun, startHealing, verifyHealing, type HealDeps } from './self-heal.js';
import type { AutomationTask } from './tasks.js';

export interface RunnerDeps extends Pick<AutomationDeps, 'requests' | 'audit' | 'queue' | 'now' | 'log'> {
  /** Keyed by action name (action-executors.ts); a request whose action has none is refused, not lost. */
  executors: Partial<ActionExecutors>;
  cards: RequestCards;
  timeZone: string;
  /** Self-healing: starting rules, verifying their runs, escalating. Without it, heal tasks are refused. */
  healing?: HealDeps;
  /** Counts the runs by how they ended. */
  metrics?: Metrics;
  /** Where a request asked for an incident says how it ended. */
  noteOnIncident: IncidentNote;
}

/** How a request ended, for the AutomationRuns metric. */
type RunOutcome = 'succeeded' | 'failed' | 'refused' | 'interrupted';

/**
 * Progress lines are shown at most this often: Feishu allows 5 updates a second per message, and people read slower.
 */
const PROGRESS_INTERVAL_MS = 2_000;

export async function handleAutomationTask(task: AutomationTask, deps: RunnerDeps): Promise<void> {
  if (task.kind === 'heal' || task.kind === 'verify') {
    if (!deps.healing) throw new Error('self-healing is not configured in this runner');
    return task.kind === 'heal'
      ? startHealing(task.alertId, task.rule, deps.healing)
      : verifyHealing(task.requestId, deps.healing);
  }
  if (task.kind === 'run') return runRequest(task.requestId, deps);
  if (task.kind === 'expire') return expireIfDue(task.requestId, deps); // an expiry queues a report of its own
  const request = await deps.requests.get(task.requestId);
  if (request) await deps.cards.show(request);
}

async function finish(
  request: AutomationRequest,
  outcome: ActionOutcome,
  deps: RunnerDeps,
): Promise<AutomationRequest> {
  const at = new Date(deps.now()).toISOString();
  const digest = outputDigest(outcome.output);
  await appendAudit(
    deps.audit,
    auditEntry(request, outcome.ok ? 'succeeded' : 'failed', at, { outcome: outcome.summary, outputDigest: digest }),
  );
  const finished = await deps.requests.transition(request.requestId, 'running', outcome.ok ? 'succeeded' : 'failed', {
    finishedAt: at,
    summary: outcome.summary,
    outputTail: tail(outcome.output).slice(-3000),
    outputDigest: digest,
  });
  await deps.requests.unlockTarget(request.target, request.requestId);
  return finished ?? request;
}

/**
 * Every way a request ends goes through here: it is counted, its cards show the result, and a self-healing rule's
 * request is verified or escalated (a rule that could not run must call people as surely as one that failed).
 */
async function concluded(request: AutomationRequest, outcome: RunOutcome, deps: RunnerDeps): Promise<void> {
  deps.metrics?.add('AutomationRuns', { Outcome: outcome });
  await deps.cards.show(request);
  if (request.incidentId) {
    const run = actionRun(request);
    const entry = {
      at: request.finishedAt ?? new Date(deps.now()).toISOString(),
      event: 'action',
      detail: `${run.title}：${run.status}${request.summary ? `（${request.summary.slice(0, 200)}）` : ''}`,
      ref: request.requestId,
      ...(request.requester.kind === 'person' ? { actor: request.requester.actor.openId } : {}),
    };
    await deps.noteOnIncident(request.incidentId, entry);
  }
  if (deps.healing) await afterHealingRun(request, deps.healing);
}

/** A queued request that will not run (no executor, target busy): audited as failed, with the reason. */
async function refuse(request: AutomationRequest, summary: string, deps: RunnerDeps): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  await appendAudit(deps.audit, auditEntry(request, 'failed', at, { outcome: summary }));
  await concluded(
    (await deps.requests.transition(request.requestId, 'queued', 'failed', { finishedAt: at, summary })) ?? request,
    'refused',
    deps,
  );
}

/**
 * Runs a queued request once: takes the target's lock (one run at a time per target), marks it running, runs the
 * executor under the action's timeout, and records the result. A redelivery of a request that is already running
 * waits (SQS retries) until its timeout has passed; then the run is reported as interrupted, result unknown.
 */
export async function runRequest(requestId: string, deps: RunnerDeps): Promise<void> {
  let request = await deps.requests.get(requestId);
  if (!request) {
    // Nothing a retry could fix: a run task always follows its request's creation, so this one was never valid.
    deps.log.error('run task for an unknown request dropped', { requestId });
    return;
  }
  const action = findAction(request.action);
  if (!action) throw new Error(`automation request ${requestId} names an unknown action ${request.action}`);
  const executor = deps.executors[request.action as ActionName];
  const now = deps.now();
  if (!executor && request.status === 'queued')
    return refuse(request, `${request.action} 的执行器尚未部署，未执行`, deps);

  if (request.status === 'running') {
    if (now < Date.parse(request.startedAt!) + action.timeoutMs)
      throw new ExpectedError(`请求 ${requestId} 仍在执行`, `request ${requestId} is still running; will look again`);
    return concluded(
      await finish(
        request,
        { ok: false, summary: '执行被中断（执行器在完成前退出），结果未知：请检查目标的实际状态', output: '' },
        deps,
      ),
      'interrupted',
      deps,
    );
  }
  if (request.status !== 'queued') return; // done already, or never approved

  if (!(await deps.requests.lockTarget(request.target, requestId, now, now + action.timeoutMs + 60_000))) {
    return refuse(request, `${request.target} 上已有其他操作在执行，本次未执行；请稍后重试`, deps);
  }
  const startedAt = new Date(now).toISOString();
  await appendAudit(deps.audit, auditEntry(request, 'started', startedAt));
  const running = await deps.requests.transition(requestId, 'queued', 'running', { startedAt });
  if (!running) return; // another delivery took it
  request = running;
  await deps.cards.show(request);

  let lastProgress = 0;
  const deadline = now + action.timeoutMs;
  const progress = async (line: string) => {
    deps.log.info('action progress', { requestId, line });
    if (deps.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = deps.now();
    await deps.cards
      .show({ ...request!, summary: line })
      .catch((error: unknown) => deps.log.warn('progress card not updated', { requestId, error }));
  };
  let outcome: ActionOutcome;
  try {
    outcome = await within(
      executor!(request.args, { log: deps.log.child({ requestId, action: request.action }), progress, deadline }),
      action.timeoutMs,
      (): ActionOutcome => ({
        ok: false,
        summary: `超时：${Math.round(action.timeoutMs / 1000)} 秒内没有完成`,
        output: '',
      }),
    );
  } catch (error) {
    // What people are told is Chinese and short; the English detail, and a stack for the unforeseen, go to the log.
    const expected = error instanceof ExpectedError;
    outcome = {
      ok: false,
      summary: expected ? error.userMessage : '执行出错：意外错误，详情见日志',
      output: '',
    };
    deps.log[expected ? 'warn' : 'error']('action failed', { requestId, action: request.action, error });
  }
  await concluded(await finish(request, outcome, deps), outcome.ok ? 'succeeded' : 'failed', deps);
}
