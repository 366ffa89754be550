import * as z from 'zod';
import { formatDuration } from '../feishu/cards.js';
import { stableId } from '../lambda/ids.js';
import type { Queue } from '../lambda/queue.js';
import { stepOf } from './escalation.js';
import { isFlapping } from './flapping.js';
import { audibleSeverity, type StoredIncident } from './model.js';
import { abandonStep, incidentPolicy, MAX_PAGE_ATTEMPTS, PAGE_LEASE_MS, pageStep, type PagingDeps } from './paging.js';

/**
 * A timer's message: look at the incident at `at`. Sent to the timers queue with an SQS delay (at most 15 minutes,
 * so a later time is reached by sending it on again); the incident item holds what is due, so a wakeup that comes
 * twice, late or for something already done changes nothing.
 */
export const wakeupSchema = z.object({
  incidentId: z.string().regex(/^[0-9a-f]{12}$/, 'an incident id'),
  at: z.iso.datetime(),
  /** How many rounds in a row left a card or page undelivered: the next retry waits longer (worker.ts). */
  retries: z.number().int().min(0).optional(),
  /** How many rounds in a row changes overtook: the next round waits longer (worker.ts). */
  overtaken: z.number().int().min(0).optional(),
  /**
   * When the alert that put the incident's cards out of date was received: the round that brings them up to date
   * reports alert→card latency from it.
   */
  receivedAt: z.iso.datetime().optional(),
});
export type Wakeup = z.infer<typeof wakeupSchema>;

/** SQS's longest delay. */
const MAX_DELAY_SECONDS = 900;

/** What receiving a timer message needs: its queue, to send it on, and a way to wait out the part of a second. */
export interface TimerQueueDeps<T> {
  wakeups: Queue<T>;
  sleep: (ms: number) => Promise<void>;
}

export interface TimerDeps extends PagingDeps, TimerQueueDeps<Wakeup> {
  reminderEveryMs: number;
}

/**
 * Queues a timer message for its `at`: now if it is due, otherwise for the whole seconds SQS can delay it, up to 15
 * minutes; whoever receives it waits out the rest (`onTime`). Throws if it could not be queued.
 */
export async function sendAt<T extends { at: string }>(queue: Queue<T>, message: T, nowMs: number, what: string) {
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor((Date.parse(message.at) - nowMs) / 1000)));
  const { failed } = await queue.sendAll([message], { delaySeconds });
  if (failed.length) throw new Error(`${what} for ${message.at} could not be queued`);
}

/**
 * Whether a timer message that arrived now may be acted on. SQS delays are whole seconds, so a message arrives up to
 * a second before its time: that is waited out here, and a round due 250 ms after the last one comes 250 ms later,
 * not a second. A message further from its time (one beyond SQS's 15 minutes) is sent on again, and false returned.
 */
export async function onTime<T extends { at: string }>(
  message: T,
  deps: TimerQueueDeps<T>,
  nowMs: number,
  what: string,
) {
  const early = Date.parse(message.at) - nowMs;
  if (early > 1000) {
    await sendAt(deps.wakeups, message, nowMs, what);
    return false;
  }
  if (early > 0) await deps.sleep(early);
  return true;
}

/** Queues a wakeup of the incident for `at` (sendAt), with what the worker carries from round to round. */
export const wakeAt = (
  wakeups: Queue<Wakeup>,
  incidentId: string,
  at: string,
  nowMs: number,
  carried: Pick<Wakeup, 'retries' | 'overtaken' | 'receivedAt'> = {},
) => sendAt(wakeups, { incidentId, at, ...carried }, nowMs, timerOf(incidentId));

export const timerOf = (incidentId: string) => `the timer of incident ${incidentId}`;

/**
 * The incident's next timer: its next escalation step (held while it flaps, see flapping.ts), a page to retry, or its
 * next reminder.
 */
export function nextTimer(incident: StoredIncident): string | undefined {
  if (incident.state !== 'triggered') return undefined;
  const progress = incident.escalation;
  const flapping = incident.flappingUntil ?? '';
  const times = [
    progress?.nextAt && (progress.nextAt < flapping ? flapping : progress.nextAt),
    progress && progress.pagedStep < progress.step ? progress.leaseUntil : undefined,
    incident.remindAt,
  ].filter((time): time is string => Boolean(time));
  return times.sort()[0];
}

export interface DueOptions {
  /** Escalate to the next step now, whatever its time (a person asked). */
  manual?: boolean;
}

/**
 * Does what is due for an incident, each piece claimed with a conditional write so it happens once however many
 * wakeups, redeliveries and clicks race: the first escalation step (once a member someone is told about has a
 * severity its policy covers), a page whose lease ran out, the next step once its time has come, and a reminder.
 * Returns the incident as it then is, and whether this call changed it; a call that changed it queues the wakeup for
 * its next timer. A silenced incident waits for its silence to end.
 */
export async function runDue(
  incident: StoredIncident,
  deps: TimerDeps,
  options: DueOptions = {},
): Promise<{ incident: StoredIncident; changed: boolean; paged?: string }> {
  const now = deps.now();
  const open = options.manual ? incident.state !== 'resolved' : incident.state === 'triggered';
  if (!open) return { incident, changed: false };
  if (incident.silence && incident.silence.until > now && !options.manual) {
    const next = nextTimer(incident);
    if (next && next <= now) await wakeAt(deps.wakeups, incident.incidentId, incident.silence.until, Date.parse(now));
    return { incident, changed: false };
  }
  let current = incident;
  let changed = false;
  let paged: string | undefined;
  const lease = new Date(Date.parse(now) + PAGE_LEASE_MS).toISOString();
  const policy = incidentPolicy(current, deps.policies);
  const progress = current.escalation;
  if (!progress) {
    const severity = audibleSeverity(current);
    const eligible = options.manual || (severity !== undefined && policy.severities.includes(severity));
    const claimed = eligible
      ? await deps.incidents.claimStep(current.incidentId, {
          step: 1,
          policy: policy.name,
          at: now,
          leaseUntil: lease,
          manual: options.manual,
        })
      : undefined;
    if (claimed) {
      ({ incident: current, paged } = await pageStep(claimed, 1, deps));
      changed = true;
    }
  } else if (progress.pagedStep < progress.step && (progress.leaseUntil ?? '') <= now) {
    const retaken = await deps.incidents.retakeStep(current.incidentId, progress.step, {
      now,
      until: lease,
      maxAttempts: MAX_PAGE_ATTEMPTS,
    });
    if (retaken) {
      ({ incident: current, paged } = await pageStep(retaken, progress.step, deps));
      changed = true;
    } else if ((progress.attempts ?? 0) >= MAX_PAGE_ATTEMPTS) {
      const abandoned = await abandonStep(current, progress.step, deps);
      if (abandoned) [current, changed] = [abandoned, true];
    }
  } else if (progress.pagedStep === progress.step && (options.manual || (progress.nextAt && progress.nextAt <= now))) {
    if (!options.manual && isFlapping(current, now)) {
      // A flapping incident was paged once: its next level waits until it has been stable for the flap window.
      await wakeAt(deps.wakeups, current.incidentId, nextTimer(current)!, Date.parse(now));
    } else {
      const step = progress.step + 1;
      const claimed =
        stepOf(policy, step) &&
        (await deps.incidents.claimStep(current.incidentId, {
          step,
          policy: progress.policy,
          at: now,
          leaseUntil: lease,
          manual: options.manual,
        }));
      if (claimed) {
        ({ incident: current, paged } = await pageStep(claimed, step, deps));
        changed = true;
      }
    }
  }
  if (current.state === 'triggered' && current.remindAt && current.remindAt <= now) {
    changed = (await remind(current, deps)) || changed;
  }
  if (changed) {
    const next = nextTimer(current);
    if (next) await wakeAt(deps.wakeups, current.incidentId, next, Date.parse(deps.now()));
  }
  return { incident: current, changed, paged };
}

/**
 * The reminder: while an incident is triggered and nobody has acknowledged it, a reply in each of its chat cards'
 * threads says so, once per `reminderEveryMs`. Claimed on the incident, so two wakeups remind once.
 */
async function remind(incident: StoredIncident, deps: TimerDeps): Promise<boolean> {
  const at = deps.now();
  const next = new Date(Date.parse(at) + deps.reminderEveryMs).toISOString();
  if (!(await deps.incidents.claimReminder(incident.incidentId, incident.remindAt!, next, at))) return false;
  incident.remindAt = next;
  const chats = Object.entries(incident.notifications).filter(([target]) => target.startsWith('chat:'));
  const lasted = formatDuration(Date.parse(at) - Date.parse(incident.openedAt));
  const text =
    `⏰ 事件仍未恢复，也还没有人确认：已持续 ${lasted}，${incident.firing} 条告警触发中。` +
    '点击卡片上的「确认」即可停止提醒。';
  // A reminder is a nudge, not the alert: one that fails is logged, and the next one is still due on time.
  for (const [target, messageId] of chats) {
    try {
      await deps.messenger.reply(messageId, { kind: 'text', text }, stableId(incident.incidentId, 'remind', at));
      deps.log.info('reminder sent', { incidentId: incident.incidentId, target });
    } catch (error) {
      deps.log.warn('reminder failed', { incidentId: incident.incidentId, target, error });
    }
  }
  // Only the first reminders are noted: an incident firing for weeks must not outgrow its item.
  if (chats.length && incident.timeline.filter((entry) => entry.event === 'reminded').length < 20) {
    await deps.incidents.appendTimeline(incident.incidentId, [
      { at, event: 'reminded', detail: `已在 ${chats.length} 个群提醒` },
    ]);
  }
  return true;
}
