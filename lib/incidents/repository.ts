import type { Actor, KnowledgeDraft, TimelineEntry } from '../alerts/repository.js';
import type { IncidentMember, IncidentState, StoredIncident } from './model.js';

/** The outcome of a change several people may try at once, for an incident. */
export interface IncidentChange {
  changed: boolean;
  incident?: StoredIncident;
}

/**
 * Persistence of incidents; the DynamoDB adapter is lib/store/incidents-table.ts. Every change is conditional, so
 * concurrent members of one group and redelivered events never undo or repeat each other.
 */
export interface IncidentRepository {
  get(incidentId: string): Promise<StoredIncident | undefined>;
  /** The incident the group's pointer names (open or not), with the pointer's own id when the item is missing. */
  forGroup(groupKey: string): Promise<{ incidentId: string; incident?: StoredIncident } | undefined>;
  /**
   * Takes the group for a new incident: the pointer is set to `incidentId` if it names no incident or still names
   * `replacing` (a resolved one). Returns the incident id that holds the group now (another, when it lost the race).
   */
  claimGroup(groupKey: string, incidentId: string, replacing: string | undefined): Promise<string>;
  /** Stores a new incident unless it exists; returns what is stored. */
  create(incident: StoredIncident): Promise<StoredIncident>;
  /** Adds a firing member to an open incident once (a member already there, or a resolved incident: undefined). */
  addMember(
    incidentId: string,
    member: IncidentMember,
    at: string,
    entry?: TimelineEntry,
  ): Promise<StoredIncident | undefined>;
  /**
   * Reopens a resolved incident with a firing member (a member that came just as the last one left). Who was paged
   * stays on record, so a reopened incident is not paged again.
   */
  reopen(
    incidentId: string,
    member: IncidentMember,
    at: string,
    entry: TimelineEntry,
  ): Promise<StoredIncident | undefined>;
  /** Marks a tracked member resolved once; undefined when it was not firing. */
  resolveMember(
    incidentId: string,
    alertId: string,
    at: string,
    entry: TimelineEntry,
  ): Promise<StoredIncident | undefined>;
  /** Counts a member beyond the tracked ones (it is not kept one by one). */
  countUntracked(incidentId: string, change: 'added' | 'resolved', at: string): Promise<StoredIncident | undefined>;
  /** Resolves an open incident whose members have all resolved; undefined if one fires or it is resolved already. */
  close(incidentId: string, at: string, entry: TimelineEntry): Promise<StoredIncident | undefined>;
  recordNotifications(incidentId: string, sent: Record<string, string>, entries: TimelineEntry[]): Promise<void>;
  /** Leases the right to page until `until`; false if it was paged or someone holds an unexpired lease. */
  claimPage(incidentId: string, now: string, until: string): Promise<boolean>;
  recordPaged(incidentId: string, at: string, entries: TimelineEntry[]): Promise<void>;
  releasePage(incidentId: string): Promise<void>;
  appendTimeline(incidentId: string, entries: TimelineEntry[]): Promise<void>;
  /** Acknowledges a triggered incident; otherwise unchanged, with who was first. */
  acknowledge(incidentId: string, by: Actor, entry: TimelineEntry): Promise<IncidentChange>;
  /** Resolves an open incident by hand; otherwise unchanged. */
  resolveByHand(incidentId: string, by: Actor, note: string | undefined, entry: TimelineEntry): Promise<IncidentChange>;
  recordSilence(
    incidentId: string,
    silence: NonNullable<StoredIncident['silence']>,
    entry: TimelineEntry,
  ): Promise<StoredIncident | undefined>;
  /** Takes the right to post a reminder: triggered (not acknowledged) and not reminded since `notSince`. */
  claimReminder(incidentId: string, at: string, notSince: string): Promise<boolean>;
  /** Remembers that a chat message asks for the note of an incident resolved from its card. */
  rememberNotePrompt(messageId: string, incidentId: string): Promise<void>;
  /** The incident a note prompt belongs to, if `messageId` is one. */
  incidentForNotePrompt(messageId: string): Promise<string | undefined>;
  /** Keeps (or updates) the incident's knowledge draft. */
  recordDraft(incidentId: string, draft: KnowledgeDraft): Promise<void>;
  /** Incidents in one state, most recently updated first (`service` narrows them). */
  list(state: IncidentState, options: { limit: number; service?: string }): Promise<StoredIncident[]>;
}
