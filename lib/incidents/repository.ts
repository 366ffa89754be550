import type { Actor, KnowledgeDraft, SuggestedAction, TimelineEntry } from '../alerts/repository.js';
import type { IncidentMember, IncidentState, RegisterEntry, StoredIncident, WarRoom } from './model.js';

/** The incident's own fields that its members' events change (attach.ts): counts, state, flap record, reminder. */
export type MembersField =
  | 'state'
  | 'firing'
  | 'resolved'
  | 'flaps'
  | 'stateChanges'
  | 'flappingUntil'
  | 'remindAt'
  | 'resolvedAt'
  | 'resolvedBy'
  | 'resolutionNote'
  | 'updatedAt';

/** What the alert events of one batch did to their incident: applied as one write (attach.ts). */
export interface MembersChange {
  /** Members that joined or changed (resolved, unmuted), whole. */
  members: IncidentMember[];
  /** Members taken out: a flapping alert's resolved self, replaced by its firing one. */
  removed: string[];
  /** The incident's fields as the events left them. */
  fields: Partial<Pick<StoredIncident, MembersField>>;
  /** Fields the events cleared (a reopened incident is no longer resolved). */
  unset: MembersField[];
  entries: TimelineEntry[];
}

/** What one round of card delivery did (delivery.ts). */
export interface DeliveryRound {
  sent: Record<string, string>;
  versions: Record<string, number>;
  at: string;
  entries: TimelineEntry[];
  /** The first round that owes cards: from now on every target gets one. */
  announce?: boolean;
  /** The war room as the round left it (opened, members added, card pinned, timeline posted). */
  warRoom?: WarRoom;
  /** The register row as the round left it. */
  register?: RegisterEntry;
}

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
  /**
   * Applies what a batch's events did to the incident's members, in one write that bumps its version, if it is still
   * at `version` (the one the change was worked out from): undefined when anything changed it since, or it is gone.
   */
  applyMembers(incidentId: string, version: number, change: MembersChange): Promise<StoredIncident | undefined>;
  recordNotifications(incidentId: string, sent: Record<string, string>, entries: TimelineEntry[]): Promise<void>;
  /**
   * Claims escalation step `step` with a lease until `leaseUntil`: step 1 of an incident that is not escalating yet,
   * or the step after the last one done. Only a triggered incident escalates, unless a person asks (`manual`): then an
   * acknowledged one does too. Undefined when someone else claimed it first or the incident no longer qualifies.
   */
  claimStep(
    incidentId: string,
    claim: { step: number; policy: string; at: string; leaseUntil: string; manual?: boolean },
  ): Promise<StoredIncident | undefined>;
  /**
   * Takes over the page of the current step when its lease ran out (its holder died or let go), while fewer than
   * `maxAttempts` attempts were made.
   */
  retakeStep(
    incidentId: string,
    step: number,
    lease: { now: string; until: string; maxAttempts: number },
  ): Promise<StoredIncident | undefined>;
  /** Notes calls of the current step that went through, so a retry makes only the missing ones. */
  recordCalls(incidentId: string, step: number, done: Record<string, string>, entries: TimelineEntry[]): Promise<void>;
  /** Ends the page of `step`: the next step is due at `nextAt` (none when unset). */
  completeStep(
    incidentId: string,
    step: number,
    nextAt: string | undefined,
    entries: TimelineEntry[],
  ): Promise<StoredIncident | undefined>;
  /**
   * Lets go of the step's lease after a failed attempt, so a retry may take it now; `refund` does not count the
   * attempt (nothing was tried: a send budget was full).
   */
  releaseStep(incidentId: string, step: number, now: string, refund?: boolean): Promise<void>;
  appendTimeline(incidentId: string, entries: TimelineEntry[]): Promise<void>;
  /** Marks muted members as someone to be told about now (their silence or inhibitor ended). */
  unmuteMembers(incidentId: string, alertIds: string[], entry: TimelineEntry): Promise<StoredIncident | undefined>;
  /** Takes the incident's delivery until `until` if nobody holds it; undefined when someone does. */
  claimDelivery(incidentId: string, now: string, until: string): Promise<StoredIncident | undefined>;
  /**
   * Notes a delivery round (new cards' message ids, the version each target now shows) and lets go of the delivery.
   * With `version`, the version every card now shows is noted too, and the answer is whether the incident is still at
   * it (false: it changed meanwhile, and the next round is owed); without, the caller leaves the rest to a wakeup.
   */
  finishRound(incident: StoredIncident, round: DeliveryRound, version?: number): Promise<boolean>;
  /** Acknowledges a triggered incident; otherwise unchanged, with who was first. */
  acknowledge(incidentId: string, by: Actor, entry: TimelineEntry): Promise<IncidentChange>;
  /** Resolves an open incident by hand; otherwise unchanged. */
  resolveByHand(incidentId: string, by: Actor, note: string | undefined, entry: TimelineEntry): Promise<IncidentChange>;
  recordSilence(
    incidentId: string,
    silence: NonNullable<StoredIncident['silence']>,
    entry: TimelineEntry,
  ): Promise<StoredIncident | undefined>;
  /** Ends the incident's silence `silenceId` (it was expired early); undefined if it carries no such silence. */
  endSilence(incidentId: string, silenceId: string, entry: TimelineEntry): Promise<StoredIncident | undefined>;
  /**
   * Takes the reminder due at `dueAt` and sets the next one to `nextAt`: false when the incident is no longer
   * triggered or someone took it first.
   */
  claimReminder(incidentId: string, dueAt: string, nextAt: string, at: string): Promise<boolean>;
  /** Triggered incidents with a timer due by `now`: a step, a reminder, or a page whose lease ran out. */
  dueTimers(now: string, limit: number): Promise<string[]>;
  /** Remembers that a chat message asks for the note of an incident resolved from its card. */
  rememberNotePrompt(messageId: string, incidentId: string): Promise<void>;
  /** The incident a note prompt belongs to, if `messageId` is one. */
  incidentForNotePrompt(messageId: string): Promise<string | undefined>;
  /** Remembers which incident a war room's chat is for, so commands in it need no incident id. */
  rememberWarRoom(chatId: string, incidentId: string): Promise<void>;
  /** The incident whose war room `chatId` is, if it is one. */
  incidentForWarRoom(chatId: string): Promise<string | undefined>;
  /** Names the incident's commander; undefined when the incident is gone or resolved. */
  recordCommander(incidentId: string, commander: Actor, entry: TimelineEntry): Promise<StoredIncident | undefined>;
  /**
   * Notes that a model was asked for a proposal, once, with what it proposed (a change the cards show), if anything.
   */
  recordProposal(incidentId: string, proposal: SuggestedAction | undefined, entries: TimelineEntry[]): Promise<void>;
  /** Keeps (or updates) the incident's knowledge draft. */
  recordDraft(incidentId: string, draft: KnowledgeDraft): Promise<void>;
  /** Incidents in one state, the latest to enter it first (`service` narrows them, `since` keeps those since then). */
  list(state: IncidentState, options: { limit: number; service?: string; since?: string }): Promise<StoredIncident[]>;
}

/** The open incidents, triggered then acknowledged, at most `limit` of each. */
export async function listOpen(incidents: IncidentRepository, options: { limit: number; service?: string }) {
  const [triggered, acknowledged] = await Promise.all([
    incidents.list('triggered', options),
    incidents.list('acknowledged', options),
  ]);
  return [...triggered, ...acknowledged];
}
