import { describeArgs } from '../feishu/cards.js';
import { severities, type Severity } from '../alerts/severity.js';
import type { Actor, KnowledgeDraft, RelatedKnowledge, SuggestedAction, TimelineEntry } from '../alerts/repository.js';
import type { RoutePlan } from '../alerts/routing.js';
import type { IncidentPermits } from './permissions.js';

/** triggered → acknowledged → resolved; a resolved incident whose group fires again soon after is reopened. */
export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';

/** What an incident keeps of one of its alerts: enough for the card's member list and the counts. */
export interface IncidentMember {
  alertId: string;
  /** The condition it is: a flapping alert that fires again replaces its resolved self rather than adding one. */
  fingerprint: string;
  name: string;
  severity: Severity;
  status: 'firing' | 'resolved';
  /** A few of the alert's labels, bounded; the card shows those that tell the members apart. */
  labels: Record<string, string>;
  summary: string;
  /** When it joined the incident. */
  at: string;
  resolvedAt?: string;
  /** Silenced or inhibited when it came: nobody is told about it until that ends. */
  muted?: boolean;
}

/** One problem: the alerts of one group (an Alertmanager group, a CloudWatch alarm, a route's groupBy), one card. */
export interface StoredIncident {
  incidentId: string;
  /** What the members have in common (see grouping.ts); hashed, it names the group's pointer. */
  groupKey: string;
  state: IncidentState;
  title: string;
  service: string;
  /** The members it tracks one by one, by alert id (at most MAX_TRACKED_MEMBERS). */
  members: Record<string, IncidentMember>;
  /** Members firing and resolved, including those beyond the tracked ones. */
  firing: number;
  resolved: number;
  /** Where it goes: the route of the alert that opened it. */
  plan: RoutePlan;
  /** The Feishu message id of its card per target (`chat:oc_…`, `user:ou_…`). */
  notifications: Record<string, string>;
  /** Bumped by every change its card shows; its cards are brought up to this version (delivery.ts). */
  version: number;
  /** The version each target's card shows. */
  cardVersions?: Record<string, number>;
  /** The version all its cards show; less than `version` while an update is owed. */
  deliveredVersion?: number;
  /** When its cards were first owed (a member someone is told about): from then on every target gets one. */
  announcedAt?: string;
  /** When its cards were last brought up to date, to keep Feishu's 5 updates a second per message. */
  deliveredAt?: string;
  /** Until when one worker holds its delivery, so its messages are updated one round at a time, in order. */
  deliveryLeaseUntil?: string;
  openedAt: string;
  /**
   * When it last changed state (opened, acknowledged, resolved, reopened). A member joining or resolving, a card or
   * a page leaves it as it is: it sorts the index of incidents by state, whose entry would otherwise be rewritten on
   * every change.
   */
  updatedAt: string;
  /** Who may acknowledge, resolve, silence and escalate it, decided from config when it opened (permissions.ts). */
  permits?: IncidentPermits;
  /**
   * The roster's names of the people its permits name, by open_id, kept with them: the webhook, which loads no config,
   * names by them who acted (a click carries only an open_id).
   */
  names?: Record<string, string>;
  /** Its recent state changes and whether it flaps (flapping.ts). */
  stateChanges?: string[];
  flappingUntil?: string;
  /** How many times it fired again after resolving on its own. */
  flaps?: number;
  /** Its escalation policy's progress, from the first page on (see escalation.ts and timers.ts). */
  escalation?: EscalationProgress;
  /** When the next reminder is due, while it is triggered (timers.ts). */
  remindAt?: string;
  acknowledgedBy?: Actor;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /** Set when a person resolved the incident, not its members' sources. */
  resolvedBy?: Actor;
  resolutionNote?: string;
  silence?: { id: string; until: string; by: Actor };
  remindedAt?: string;
  /** The runbook section that best matches the alert that opened it. */
  related?: RelatedKnowledge;
  /** Links to look at: the first member's source page and runbook. */
  links?: { detail?: string; runbook?: string };
  /** A runbook draft written from the incident when it was resolved with a note, until someone saves it. */
  knowledgeDraft?: KnowledgeDraft;
  /** Its war room, once one was due (war-room.ts); kept with the delivery rounds, which open and tend it. */
  warRoom?: WarRoom;
  /** Its row in the incident register (Bitable), kept with the delivery rounds, which write it (register.ts). */
  register?: RegisterEntry;
  /** The action a model proposed for it (when its runbook suggests none), asked once (`proposalAsked`). */
  proposal?: SuggestedAction;
  proposalAsked?: boolean;
  /** The inventory host of the alert that opened it: its cards offer 诊断, a read-only look at it. */
  diagnoseHost?: string;
  /** Who leads the response, named in chat with `/incident commander`. */
  commander?: Actor;
  timeline: TimelineEntry[];
}

/** An incident's row in the register: its record id, and a digest of what it last said (or what was refused). */
export interface RegisterEntry {
  recordId?: string;
  written?: string;
  refused?: string;
}

/** A group chat for the people handling an incident, with its card pinned and its timeline posted as it happens. */
export interface WarRoom {
  chatId?: string;
  name: string;
  openedAt?: string;
  /** The people added to it (open_ids), so that those paged later are added once. */
  members: string[];
  /** The message id of the card pinned in it. */
  pinned?: string;
  /** How far its timeline was posted: the last posted entry's time, and the entries at that time already posted. */
  posted?: { at: string; keys: string[] };
  /** Why it could not be created: the incident goes on in its route's chats, and its card says so. */
  failed?: { at: string; reason: string };
}

/**
 * How far an incident has escalated. Steps are claimed one at a time with a lease, so a page rings once even when a
 * timer fires twice or two timers race; a page that dies mid-call is taken over once its lease runs out.
 */
export interface EscalationProgress {
  policy: string;
  startedAt: string;
  /** The last step claimed (1 = the first level). */
  step: number;
  /** The last step whose pages are done. Less than `step` while a page is in progress (or died). */
  pagedStep: number;
  /** Until when the page of `step` is held by whoever claimed it. */
  leaseUntil?: string;
  /** Attempts at the page of `step`; after a few, what could not be delivered is given up and the next step is due. */
  attempts?: number;
  /** When step + 1 is due; unset after the last step. */
  nextAt?: string;
  /** Calls of the last step claimed that went through (`ou_…:urgent_phone` → when): a retry makes only the others. */
  done: Record<string, string>;
}

/** Members tracked one by one in the incident's item; beyond this only the counts grow (DynamoDB's 400 KB). */
export const MAX_TRACKED_MEMBERS = 300;
/** Labels kept per member, and their length: what tells members apart, not everything they carry. */
const MEMBER_LABELS = 6;
const LABEL_CHARS = 60;
/** As much of its summary as the card shows: a member's size is paid on every write to its incident. */
const SUMMARY_CHARS = 100;
/** Labels every member shares by construction, shown elsewhere on the card. */
const SHOWN_ELSEWHERE = new Set(['alertname', 'severity', 'service']);

export function memberOf(alert: {
  alertId: string;
  fingerprint: string;
  severity: Severity;
  alert: { name: string; summary: string; labels: Record<string, string>; host?: string };
  firstSeenAt: string;
}): IncidentMember {
  const labels = Object.fromEntries(
    Object.entries({ ...(alert.alert.host ? { host: alert.alert.host } : {}), ...alert.alert.labels })
      .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
      .slice(0, MEMBER_LABELS)
      .map(([key, value]) => [key.slice(0, LABEL_CHARS), value.slice(0, LABEL_CHARS)]),
  );
  return {
    alertId: alert.alertId,
    fingerprint: alert.fingerprint,
    name: alert.alert.name.slice(0, 200),
    severity: alert.severity,
    status: 'firing',
    labels,
    summary: alert.alert.summary.slice(0, SUMMARY_CHARS),
    at: alert.firstSeenAt,
  };
}

const rank = (severity: Severity) => severities.indexOf(severity);

/** The highest severity among firing members (among all of them once none fires). */
export function incidentSeverity(incident: Pick<StoredIncident, 'members'>): Severity {
  const members = Object.values(incident.members);
  const firing = members.filter((member) => member.status === 'firing');
  const pool = firing.length ? firing : members;
  return pool.reduce<Severity>(
    (worst, member) => (rank(member.severity) < rank(worst) ? member.severity : worst),
    'info',
  );
}

/** The newest members first, at most `limit`. */
export const newestMembers = (incident: Pick<StoredIncident, 'members'>, limit: number) =>
  Object.values(incident.members)
    .sort((a, b) => b.at.localeCompare(a.at) || b.alertId.localeCompare(a.alertId))
    .slice(0, limit);

/** The labels on which members differ (all of a lone member's): what the card lists beside each member. */
export function distinguishingLabels(members: Pick<IncidentMember, 'labels'>[]): string[] {
  const keys = [...new Set(members.flatMap((member) => Object.keys(member.labels)))];
  if (members.length < 2) return keys;
  return keys.filter((key) => new Set(members.map((member) => member.labels[key] ?? '')).size > 1);
}

export const isOpen = (incident: Pick<StoredIncident, 'state'>) => incident.state !== 'resolved';

/** An offered action as its card and timeline say it: `重启服务 host=web-01 unit=nginx`. */
export const describeSuggestion = (suggested: SuggestedAction) => `${suggested.title} ${describeArgs(suggested.args)}`;

/** The action its card offers: its runbook's suggestion, else a model's proposal. */
export const suggestionOf = (incident: Pick<StoredIncident, 'related' | 'proposal'>) =>
  incident.related?.suggested ?? incident.proposal;

/**
 * The highest severity among the firing members someone is to be told about (not muted), undefined when there are
 * none: what decides whether cards go out and whether the escalation policy applies.
 */
export function audibleSeverity(incident: Pick<StoredIncident, 'members'>): Severity | undefined {
  const audible = Object.values(incident.members).filter((member) => member.status === 'firing' && !member.muted);
  if (!audible.length) return undefined;
  return audible.reduce<Severity>(
    (worst, member) => (rank(member.severity) < rank(worst) ? member.severity : worst),
    'info',
  );
}
