import type { Team } from '../alerts/oncall.js';
import type { TimelineEntry } from '../alerts/repository.js';
import type { Messenger } from '../feishu/messenger.js';
import { BudgetSpent } from '../feishu/paced-messenger.js';
import { stableId } from '../lambda/ids.js';
import type { Logger } from '../lambda/logger.js';
import { cardOptions, incidentCard, type CardOptions } from './card.js';
import {
  describeStep,
  peopleFor,
  policyFor,
  stepDueAt,
  stepOf,
  type EscalationPolicy,
  type LevelChannel,
} from './escalation.js';
import type { StoredIncident } from './model.js';
import type { IncidentRepository } from './repository.js';

export interface PagingDeps extends CardOptions {
  messenger: Messenger;
  incidents: IncidentRepository;
  teams: Map<string, Team>;
  policies: Map<string, EscalationPolicy>;
  now: () => string;
  log: Logger;
}

/**
 * Longer than the longest invocation that pages (the worker's 60 s Lambda timeout), so a live holder never loses its
 * step; no longer, so a step whose holder died (a crash mid-call) is taken over a minute later, not two.
 */
export const PAGE_LEASE_MS = 70_000;
/** Attempts at one step before what could not be delivered is given up, so later levels are not held up. */
export const MAX_PAGE_ATTEMPTS = 5;

/**
 * A page that could not go out yet because the person's send budget was full (Feishu's 5 messages a second to one
 * person, when many incidents page them at once): it is owed, not failed, and the attempt is not counted.
 */
export class PageDeferred extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageDeferred';
  }
}

const urgentKinds: Partial<Record<LevelChannel, { kind: 'app' | 'sms' | 'phone'; label: string }>> = {
  urgent_app: { kind: 'app', label: '应用内加急' },
  urgent_sms: { kind: 'sms', label: '短信加急' },
  urgent_phone: { kind: 'phone', label: '电话加急' },
};

/**
 * Gives up the page of a step whose attempts ran out without one finishing (each holder died mid-call), so the next
 * step is still due: a page stuck forever would hold up every level after it.
 */
export async function abandonStep(incident: StoredIncident, step: number, deps: PagingDeps) {
  const policy = incidentPolicy(incident, deps.policies);
  const entry = {
    at: deps.now(),
    event: 'page_failed',
    detail: `第 ${step} 步的呼叫 ${MAX_PAGE_ATTEMPTS} 次都没有完成，已放弃，下一级照常升级`,
  };
  const nextAt = stepDueAt(policy, incident.escalation!.startedAt, step + 1);
  return deps.incidents.completeStep(incident.incidentId, step, nextAt, [entry]);
}

/** The policy an incident escalates by: the one it started with, else its route's. */
export const incidentPolicy = (incident: StoredIncident, policies: Map<string, EscalationPolicy>) =>
  policyFor(policies, incident.escalation?.policy ?? incident.plan.escalation);

/**
 * Pages step `step` of the incident's escalation, which the caller holds the lease of: each person of the step's
 * level gets the incident's card directly, then each 加急 channel of the level rings on that card. Calls that went
 * through are noted one by one, so a retry (this step's lease taken over after a failure or a crash) makes only the
 * missing ones: a failed phone call is retried even when the SMS went through, and nothing rings twice. Once every
 * call went through, or after MAX_PAGE_ATTEMPTS, the step is done and the next one is due.
 */
export async function pageStep(
  incident: StoredIncident,
  step: number,
  deps: PagingDeps,
): Promise<{ incident: StoredIncident; paged: string }> {
  const progress = incident.escalation!;
  const policy = incidentPolicy(incident, deps.policies);
  const level = stepOf(policy, step)?.level;
  const nowMs = Date.parse(deps.now());
  const people = level ? peopleFor(level, { team: incident.plan.team, teams: deps.teams, now: nowMs }) : [];
  const done: Record<string, string> = {};
  const entries: TimelineEntry[] = [];
  const failures: string[] = [];
  let deferredOnly = true;
  const failed = (failure: string, error: unknown) => {
    failures.push(`${failure}: ${(error as Error).message}`);
    if (!(error instanceof BudgetSpent)) deferredOnly = false;
  };
  const sent: Record<string, string> = {};
  for (const person of people) {
    const target = `user:${person.openId}`;
    let messageId = incident.notifications[target];
    if (!messageId && level!.channels.includes('card')) {
      try {
        const card = incidentCard(incident, { ...cardOptions(deps), now: deps.now() });
        messageId = await deps.messenger.sendCard(
          { kind: 'user', id: person.openId },
          card,
          stableId(incident.incidentId, target),
        );
        sent[target] = messageId;
        incident.notifications[target] = messageId;
      } catch (error) {
        deps.log.error('card to a paged person failed', { incidentId: incident.incidentId, target, error });
        failed(target, error);
        continue;
      }
    }
    if (!messageId) continue;
    const owed = level!.channels.flatMap((channel) => {
      const urgent = urgentKinds[channel];
      const key = `${person.openId}:${channel}`;
      return urgent && !progress.done?.[key] ? [{ urgent, key }] : [];
    });
    // The person's channels ring at once, not one call after another: the phone rings a round trip or two sooner,
    // and the round's cards (delivered after the page) wait that much less.
    const calls = await Promise.allSettled(
      owed.map(({ urgent }) => deps.messenger.urgent(messageId, urgent.kind, [person.openId])),
    );
    calls.forEach((call, i) => {
      const { urgent, key } = owed[i]!;
      if (call.status === 'fulfilled') {
        done[key] = deps.now();
        entries.push({
          at: deps.now(),
          event: 'paged',
          detail: `${urgent.label}：${person.name}`,
          actor: person.openId,
        });
        return;
      }
      const error: unknown = call.reason;
      deps.log.error('page failed', {
        incidentId: incident.incidentId,
        kind: urgent.kind,
        person: person.openId,
        error,
      });
      failed(`${urgent.label} ${person.name}`, error);
    });
  }
  if (Object.keys(sent).length) {
    const notified = Object.keys(sent).map((target) => ({
      at: deps.now(),
      event: 'notified',
      detail: `卡片已发送至 ${target}`,
    }));
    await deps.incidents.recordNotifications(incident.incidentId, sent, notified);
  }
  await deps.incidents.recordCalls(incident.incidentId, step, done, entries);
  incident.timeline.push(...entries);
  Object.assign((progress.done ??= {}), done);

  const giveUp = (progress.attempts ?? 1) >= MAX_PAGE_ATTEMPTS && !deferredOnly;
  if (failures.length && !giveUp) {
    await deps.incidents.releaseStep(incident.incidentId, step, deps.now(), deferredOnly);
    const message = `page of step ${step} of incident ${incident.incidentId} incomplete: ${failures.join('; ')}`;
    throw deferredOnly ? new PageDeferred(message) : new Error(message);
  }
  const closing: TimelineEntry[] = failures.map((failure) => ({
    at: deps.now(),
    event: 'page_failed',
    detail: `${MAX_PAGE_ATTEMPTS} 次尝试后放弃：${failure}`,
  }));
  if (step > 1)
    closing.push({ at: deps.now(), event: 'escalated', detail: `已升级到 ${describeStep(policy, step, people)}` });
  if (!people.length)
    closing.push({
      at: deps.now(),
      event: 'page_failed',
      detail: `${describeStep(policy, step, people)}：没有可呼叫的人`,
    });
  const nextAt = stepDueAt(policy, progress.startedAt, step + 1);
  const completed = await deps.incidents.completeStep(incident.incidentId, step, nextAt, closing);
  return {
    incident: completed ?? (await deps.incidents.get(incident.incidentId)) ?? incident,
    paged: describeStep(policy, step, people),
  };
}
