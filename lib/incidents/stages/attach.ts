import type { TimelineEntry } from '../../alerts/repository.js';
import { isoNow, type AlertEvent, type AlertStage } from '../../alerts/stages/stage.js';
import { describeMute } from '../../alerts/stages/mute.js';
import { formatDuration } from '../../feishu/cards.js';
import { afterStateChange, isFlapping } from '../flapping.js';
import { isOpen, memberOf, type StoredIncident } from '../model.js';
import type { IncidentRepository } from '../repository.js';

/** Only the first members' arrivals and departures are noted: a group of thousands must not outgrow its item. */
const MAX_MEMBER_ENTRIES = 20;

/**
 * Applies the alert's event to its incident: a new incident is created with the alert as its first member, a later
 * alert joins it, a resolved alert leaves it firing one fewer, and once no member fires the incident resolves. A
 * member that came muted is kept muted (nobody is told of it) until an event of it comes unmuted. Each change is one
 * conditional write on the incident, so members of one group arriving at once, and redelivered events, neither undo
 * nor repeat each other.
 */
export const attach: AlertStage = async (event, context) => {
  const stored = event.stored!;
  const incidentId = event.incidentId ?? stored.incidentId;
  if (!incidentId) return event;
  let dirtied = false;
  const incidents = watchWrites(context.incidents, () => (dirtied = true));
  context = { ...context, incidents };
  const at = isoNow(context);
  let incident = event.incident ?? (await incidents.get(incidentId));
  const before = incident;
  if (stored.status === 'firing') {
    // Two first members racing: the one whose create lost joins the incident the other created.
    if (!incident) incident = await incidents.create(newIncident(event, incidentId, at, context));
    if (!incident.members[stored.alertId]) incident = await join(incident, event, at, context);
    else if (incident.members[stored.alertId]!.muted && !event.mute) {
      const entry = { at, event: 'unmuted', detail: `${stored.alert.name} 不再被屏蔽` };
      incident = (await incidents.unmuteMembers(incidentId, [stored.alertId], entry)) ?? incident;
    }
  } else if (incident) {
    incident = await leave(incident, event, at, context);
  }
  // A repeat that changed nothing needs no card update; a redelivery might, if the first try died before it.
  const incidentChanged = event.change !== 'repeat' || incident !== before;
  return { ...event, incident, incidentChanged, incidentDirtied: dirtied || event.change === 'replay' };
};

/** The writes of attach that change what the card shows: each bumps the incident's version. */
const versionedWrites = new Set([
  'create',
  'addMember',
  'reopen',
  'resolveMember',
  'countUntracked',
  'close',
  'unmuteMembers',
]);

/**
 * The repository, telling `dirtied` when one of those writes found every card up to date just before it (its new
 * version one past the delivered one): that write is the one that owes the cards an update, so its event wakes the
 * incident's worker. A write into an incident already owing one leaves it to the wakeup or worker on the way.
 */
function watchWrites(incidents: IncidentRepository, dirtied: () => void): IncidentRepository {
  return new Proxy(incidents, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || !versionedWrites.has(String(name))) return value;
      return async (...args: unknown[]) => {
        const written = (await value.apply(target, args)) as StoredIncident | undefined;
        if (written && written.version - 1 <= (written.deliveredVersion ?? 0)) dirtied();
        return written;
      };
    },
  });
}

/** The member the alert makes, muted if the event was. */
const memberFor = (event: AlertEvent) => ({ ...memberOf(event.stored!), ...(event.mute ? { muted: true } : {}) });

const noted = (incident: StoredIncident, event: string) =>
  incident.timeline.filter((entry) => entry.event === event).length < MAX_MEMBER_ENTRIES;

const describe = (name: string, labels: Record<string, string>) =>
  [name, ...Object.entries(labels).map(([key, value]) => `${key}=${value}`)].join(' ');

async function join(incident: StoredIncident, event: AlertEvent, at: string, context: Parameters<AlertStage>[1]) {
  const { incidents } = context;
  const member = memberFor(event);
  const entry: TimelineEntry | undefined = noted(incident, 'member_added')
    ? { at, event: 'member_added', detail: describe(member.name, member.labels) }
    : undefined;
  const added = await incidents.addMember(incident.incidentId, member, at, entry);
  if (added) return added;
  const now = (await incidents.get(incident.incidentId)) ?? incident;
  if (now.members[member.alertId]) return now;
  if (!isOpen(now)) return reopen(now, event, at, context);
  if (event.change !== 'open') return now;
  // Full: the member is counted, not kept one by one.
  return (await incidents.countUntracked(incident.incidentId, 'added', at)) ?? now;
}

/**
 * The incident's group fired again soon after it resolved: the same incident and card, its escalation where it was
 * (so nobody is paged again from the start), the flap counted; the same condition replaces its resolved self.
 */
async function reopen(incident: StoredIncident, event: AlertEvent, at: string, context: Parameters<AlertStage>[1]) {
  const member = memberFor(event);
  const rule = context.config.flapping;
  const flap = afterStateChange(incident, at, rule);
  const flaps = (incident.flaps ?? 0) + 1;
  const entries: TimelineEntry[] = [
    { at, event: 'reopened', detail: `${describe(member.name, member.labels)} 再次触发（第 ${flaps} 次）` },
  ];
  if (flap.flappingUntil && !isFlapping(incident, at)) {
    const window = formatDuration(rule.windowSeconds * 1000);
    entries.push({
      at,
      event: 'flapping',
      detail: `${window}内状态变化 ${flap.stateChanges.length} 次：抖动中，稳定 ${window}前不再重复加急`,
    });
  }
  const replaces = Object.values(incident.members).find(
    (old) => old.fingerprint === member.fingerprint && old.status === 'resolved',
  )?.alertId;
  const remind = remindAt(context, at);
  return (
    (await context.incidents.reopen(incident.incidentId, { member, replaces, at, entries, remindAt: remind, flap })) ??
    (await context.incidents.get(incident.incidentId)) ??
    incident
  );
}

async function leave(incident: StoredIncident, event: AlertEvent, at: string, context: Parameters<AlertStage>[1]) {
  const { incidents } = context;
  const stored = event.stored!;
  let now = incident;
  if (incident.members[stored.alertId]?.status === 'firing') {
    const member = incident.members[stored.alertId]!;
    const entry = { at, event: 'member_resolved', detail: describe(member.name, member.labels) };
    now = (await incidents.resolveMember(incident.incidentId, stored.alertId, at, entry)) ?? incident;
  } else if (!incident.members[stored.alertId] && event.change === 'resolve') {
    now = (await incidents.countUntracked(incident.incidentId, 'resolved', at)) ?? incident;
  }
  if (now.firing > 0 || !isOpen(now)) return now;
  const flap = afterStateChange(now, at, context.config.flapping);
  const closed = await incidents.close(now.incidentId, at, { at, event: 'resolved', detail: '全部告警已恢复' }, flap);
  return closed ?? (await incidents.get(now.incidentId)) ?? now;
}

/** The first reminder of a triggered incident: one interval from now (routing.yaml's `reminders.every`). */
const remindAt = (context: Parameters<AlertStage>[1], at: string) =>
  new Date(Date.parse(at) + context.config.reminderIntervalSeconds * 1000).toISOString();

function newIncident(
  event: AlertEvent,
  incidentId: string,
  at: string,
  context: Parameters<AlertStage>[1],
): StoredIncident {
  const stored = event.stored!;
  const { alert, plan } = stored;
  const openedAt = stored.firstSeenAt < at ? stored.firstSeenAt : at;
  return {
    incidentId,
    groupKey: (event.groupKey ?? incidentId).slice(0, 2000),
    state: 'triggered',
    title: alert.name,
    service: alert.service,
    members: { [stored.alertId]: memberFor(event) },
    firing: 1,
    resolved: 0,
    plan,
    notifications: {},
    version: 1,
    cardVersions: {},
    stateChanges: [at],
    openedAt,
    updatedAt: at,
    remindAt: remindAt(context, at),
    ...context.permitsFor?.(plan),
    ...(stored.related ? { related: stored.related } : {}),
    links: { detail: alert.generatorURL, runbook: alert.runbookURL },
    timeline: [
      { at, event: 'opened', detail: `${alert.name}（${alert.source} · ${alert.severity}）` },
      {
        at,
        event: 'routed',
        detail: plan.routes.length
          ? `路由：${plan.routes.join(', ')}${plan.onCall ? `；值班：${plan.onCall.name}` : ''}`
          : '没有匹配的路由',
      },
      ...(event.mute ? [{ at, event: 'muted', detail: describeMute(event.mute) }] : []),
    ],
  };
}
