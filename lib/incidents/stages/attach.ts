import { routedDetail } from '../../alerts/routing.js';
import type { TimelineEntry } from '../../alerts/repository.js';
import { isoNow, type AlertEvent, type AlertPathContext, type BatchStage } from '../../alerts/stages/stage.js';
import { describeMute } from '../../alerts/stages/mute.js';
import { formatDuration } from '../../feishu/cards.js';
import { afterStateChange, isFlapping } from '../flapping.js';
import { isOpen, MAX_TRACKED_MEMBERS, memberOf, type StoredIncident } from '../model.js';
import type { MembersChange, MembersField } from '../repository.js';

/** Only the first members' arrivals and departures are noted: a group of thousands must not outgrow its item. */
const MAX_MEMBER_ENTRIES = 20;
/**
 * Writes tried before the events are given back to SQS: each lost to another write of the incident in the moment
 * between reading it and writing (another batch of its group, a click), and was worked out again from what won.
 */
const MAX_ATTEMPTS = 5;

/**
 * Applies the events of one batch that belong to one incident, in queue order, in one write: a new incident is created
 * with the batch's firing alerts as its members, later alerts join it, resolved alerts leave it firing fewer, and once
 * no member fires the incident resolves. A member that came muted is kept muted (nobody is told of it) until an event
 * of it comes unmuted. The write is conditional on the version the change was worked out from: if another batch or a
 * person changed the incident meanwhile, the change is worked out again from what they left, so concurrent writes
 * neither undo nor repeat each other, and a redelivered batch finds its members there and writes nothing.
 */
export const attach: BatchStage = async (events, context) => {
  const { incidents } = context;
  const incidentId = incidentOf(events[0]!);
  // A resolution never seen firing belongs to no incident.
  if (!incidentId) return events;
  const at = isoNow(context);
  let incident = newest(events) ?? (await incidents.get(incidentId));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (!incident) {
      const first = events.find((event) => event.stored!.status === 'firing');
      // Resolutions of an incident that is gone: nothing to leave.
      if (!first) return events;
      // The batch's first firing alert opens it and the rest join, in one write; if another batch created it first,
      // this batch's alerts join that one.
      const opened = apply(newIncident(first, incidentId, at, context), events, at, context);
      const created = await incidents.create(opened.incident);
      if (created === opened.incident) return settle(events, created, opened.changed.add(first), true);
      incident = created;
      continue;
    }
    const applied = apply(incident, events, at, context);
    if (!applied.change) return settle(events, incident, applied.changed, false);
    const written = await incidents.applyMembers(incidentId, incident.version, applied.change);
    if (written) return settle(events, written, applied.changed, true);
    incident = await incidents.get(incidentId);
  }
  throw new Error(`incident ${incidentId} kept changing while ${events.length} alert events were applied to it`);
};

/** The incident an event belongs to: the one `group` found or claimed, or the one its alert joined before. */
export const incidentOf = (event: AlertEvent) => event.incidentId ?? event.stored?.incidentId;

/** The most recent of the reads the events came with (`group` reads the incident an alert opens into). */
const newest = (events: AlertEvent[]) =>
  events
    .map((event) => event.incident)
    .reduce<StoredIncident | undefined>(
      (best, read) => (read && read.version > (best?.version ?? 0) ? read : best),
      undefined,
    );

/**
 * The events as the write left them, each with the incident as it now is. A repeat that changed nothing needs no card
 * update. The worker is woken by one event of the batch, once: when the write made up-to-date cards owe an update (a
 * write into an incident already owing one leaves it to the wakeup or worker on the way), or when an event is a
 * redelivery, which may have died before its wakeup went out. It carries the earliest receipt, for alert→card.
 */
function settle(events: AlertEvent[], incident: StoredIncident, changed: Set<AlertEvent>, wrote: boolean) {
  const dirtied = wrote && incident.version - 1 <= (incident.deliveredVersion ?? 0);
  const waker =
    dirtied || events.some((event) => event.change === 'replay')
      ? events.reduce((first, event) =>
          event.forwarded.alert.receivedAt < first.forwarded.alert.receivedAt ? event : first,
        )
      : undefined;
  return events.map((event) => ({
    ...event,
    incident,
    incidentChanged: event.change !== 'repeat' || changed.has(event),
    incidentDirtied: event === waker,
  }));
}

/**
 * What the events do to the incident, in order, worked out in memory: the incident as they leave it, the change to
 * write (none when they leave it as it was), and the events that changed something.
 */
function apply(read: StoredIncident, events: AlertEvent[], at: string, context: AlertPathContext) {
  const incident = structuredClone(read);
  const touched = new Set<MembersField>();
  const members = new Set<string>();
  const removed = new Set<string>();
  const entries: TimelineEntry[] = [];
  const changed = new Set<AlertEvent>();
  const set = <K extends MembersField>(field: K, value: StoredIncident[K]) => {
    incident[field] = value;
    touched.add(field);
  };
  const note = (entry: TimelineEntry) => {
    entries.push(entry);
    incident.timeline.push(entry);
  };
  const put = (member: StoredIncident['members'][string]) => {
    incident.members[member.alertId] = member;
    members.add(member.alertId);
    removed.delete(member.alertId);
  };
  const rule = context.config.flapping;
  let left = false;

  /**
   * The incident's group fired again soon after it resolved: the same incident and card, its escalation where it was
   * (so nobody is paged again from the start), the flap counted; the same condition replaces its resolved self.
   */
  const reopen = (event: AlertEvent) => {
    const member = memberFor(event);
    const flap = afterStateChange(incident, at, rule);
    const flaps = (incident.flaps ?? 0) + 1;
    note({ at, event: 'reopened', detail: `${describe(member.name, member.labels)} 再次触发（第 ${flaps} 次）` });
    if (flap.flappingUntil && !isFlapping(incident, at)) {
      const window = formatDuration(rule.windowSeconds * 1000);
      note({
        at,
        event: 'flapping',
        detail: `${window}内状态变化 ${flap.stateChanges.length} 次：抖动中，稳定 ${window}前不再重复加急`,
      });
    }
    const replaces = Object.values(incident.members).find(
      (old) => old.fingerprint === member.fingerprint && old.status === 'resolved',
    )?.alertId;
    if (replaces) {
      delete incident.members[replaces];
      members.delete(replaces);
      removed.add(replaces);
      set('resolved', incident.resolved - 1);
    }
    put(member);
    set('state', 'triggered');
    set('firing', incident.firing + 1);
    set('flaps', flaps);
    set('remindAt', remindAt(context, at));
    set('stateChanges', flap.stateChanges);
    if (flap.flappingUntil) set('flappingUntil', flap.flappingUntil);
    for (const field of ['resolvedAt', 'resolvedBy', 'resolutionNote'] as const) set(field, undefined);
  };

  const join = (event: AlertEvent) => {
    if (!isOpen(incident)) {
      reopen(event);
      return true;
    }
    if (Object.keys(incident.members).length < MAX_TRACKED_MEMBERS) {
      const member = memberFor(event);
      put(member);
      if (noted(incident, 'member_added'))
        note({ at, event: 'member_added', detail: describe(member.name, member.labels) });
    } else if (event.change !== 'open') {
      // A later event of an alert that came when the incident was full: it was counted then.
      return false;
    }
    // Beyond the tracked members an alert is counted, not kept one by one.
    set('firing', incident.firing + 1);
    return true;
  };

  const leave = (event: AlertEvent) => {
    const stored = event.stored!;
    const member = incident.members[stored.alertId];
    if (member?.status === 'firing') {
      put({ ...member, status: 'resolved', resolvedAt: at });
      if (noted(incident, 'member_resolved'))
        note({ at, event: 'member_resolved', detail: describe(member.name, member.labels) });
    } else if (member || event.change !== 'resolve') {
      // Resolved already (a redelivery), or a later event of an untracked alert: nothing to count again.
      return false;
    }
    // A tracked member resolves; an untracked one (the incident was full when it came) is counted out.
    set('firing', incident.firing - 1);
    set('resolved', incident.resolved + 1);
    return true;
  };

  for (const event of events) {
    const stored = event.stored!;
    const member = incident.members[stored.alertId];
    let changes: boolean;
    if (stored.status === 'firing') {
      if (!member) changes = join(event);
      else if (member.muted && !event.mute) {
        put({ ...member, muted: false });
        note({ at, event: 'unmuted', detail: `${stored.alert.name} 不再被屏蔽` });
        changes = true;
      } else changes = false;
    } else {
      left = true;
      changes = leave(event);
    }
    if (changes) changed.add(event);
  }
  if (left && incident.firing <= 0 && isOpen(incident)) {
    const flap = afterStateChange(incident, at, rule);
    set('state', 'resolved');
    set('resolvedAt', at);
    set('stateChanges', flap.stateChanges);
    if (flap.flappingUntil) set('flappingUntil', flap.flappingUntil);
    note({ at, event: 'resolved', detail: '全部告警已恢复' });
  }
  if (!touched.size && !members.size && !entries.length) return { incident: read, changed };
  // The index of incidents by state sorts by updatedAt: only a change of state moves it (model.ts).
  if (touched.has('state')) set('updatedAt', at);
  const fields = [...touched];
  const change: MembersChange = {
    members: [...members].map((alertId) => incident.members[alertId]!),
    removed: [...removed],
    fields: Object.fromEntries(fields.filter((field) => incident[field] !== undefined).map((f) => [f, incident[f]])),
    unset: fields.filter((field) => incident[field] === undefined && read[field] !== undefined),
    entries,
  };
  return { incident, change, changed };
}

/** The member the alert makes, muted if the event was. */
const memberFor = (event: AlertEvent) => ({ ...memberOf(event.stored!), ...(event.mute ? { muted: true } : {}) });

const noted = (incident: StoredIncident, event: string) =>
  incident.timeline.filter((entry) => entry.event === event).length < MAX_MEMBER_ENTRIES;

const describe = (name: string, labels: Record<string, string>) =>
  [name, ...Object.entries(labels).map(([key, value]) => `${key}=${value}`)].join(' ');

/** The first reminder of a triggered incident: one interval from now (routing.yaml's `reminders.every`). */
const remindAt = (context: AlertPathContext, at: string) =>
  new Date(Date.parse(at) + context.config.reminderIntervalSeconds * 1000).toISOString();

/** The incident the batch's first firing alert opens, with it as its only member so far. */
function newIncident(event: AlertEvent, incidentId: string, at: string, context: AlertPathContext): StoredIncident {
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
    ...(alert.host && context.diagnosable?.(alert.host) ? { diagnoseHost: alert.host } : {}),
    // The lookup's own result, with the section's first lines (the stored alert keeps only which section).
    ...((event.related ?? stored.related) ? { related: event.related ?? stored.related } : {}),
    links: { detail: alert.generatorURL, runbook: alert.runbookURL },
    timeline: [
      { at, event: 'opened', detail: `${alert.name}（${alert.source} · ${alert.severity}）` },
      {
        at,
        event: 'routed',
        detail: routedDetail(plan),
      },
      ...(event.mute ? [{ at, event: 'muted', detail: describeMute(event.mute) }] : []),
    ],
  };
}
