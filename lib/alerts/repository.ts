import type { Alert, Severity } from './model.js';
import type { RoutePlan } from './routing.js';

export interface TimelineEntry {
  at: string;
  /** What happened, in the ops domain's words: opened, repeated, notified, paged, resolved… */
  event: string;
  detail?: string;
}

/** A draft article about an incident, kept on the alert until someone saves it to the knowledge base. */
export interface KnowledgeDraft {
  id: string;
  title: string;
  body: string;
  tags: string[];
  /** The chat card showing the draft, updated once it is saved. */
  cardMessageId?: string;
  savedBy?: string;
}

/** A person acting from Feishu; the name is known only when the action came with one. */
export interface Actor {
  openId: string;
  name?: string;
}

/** The outcome of a change several people may try at once: whether this call made it, and the alert as it now is. */
export interface ChangeResult {
  changed: boolean;
  stored?: StoredAlert;
}

/** An alert as we keep it: its latest event, where it was sent, and everything that happened to it. */
export interface StoredAlert {
  alertId: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  alert: Alert;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  /** Occurrences of the fingerprint when this alert opened; the card shows count - base + 1. */
  countBase: number;
  count: number;
  plan: RoutePlan;
  /** Feishu message id of the card per target (`chat:oc_…`, `user:ou_…`). */
  notifications: Record<string, string>;
  pagedAt?: string;
  acknowledgedBy?: Actor;
  acknowledgedAt?: string;
  /** Set when a person resolved the alert, not its source. */
  resolvedBy?: Actor;
  resolutionNote?: string;
  silence?: { id: string; until: string; by: Actor };
  /** The runbook section that best matches the alert, found when it opened (shown on its cards as 相关知识). */
  related?: { title: string; section: string; source: string };
  /** A runbook draft written from this incident when it was resolved with a note, until someone saves it. */
  knowledgeDraft?: KnowledgeDraft;
  /** When a reminder was last posted, so reminders keep their own pace whatever the dedup window. */
  remindedAt?: string;
  /** While a page is being sent: until when the sender holds it (ISO). Expired, the page may be tried again. */
  pageLeaseUntil?: string;
  /** The event that opened this alert, and the last one applied: redeliveries are recognised by them. */
  openedBy: string;
  lastEventId: string;
  timeline: TimelineEntry[];
}

export const occurrences = (stored: StoredAlert) => Math.max(1, stored.count - stored.countBase + 1);

/** Persistence of alerts; the DynamoDB adapter lives in lib/store. */
export interface AlertRepository {
  get(alertId: string): Promise<StoredAlert | undefined>;
  /** Alerts in one state, most recently seen first (`service` narrows them). */
  list(status: StoredAlert['status'], options: { limit: number; service?: string }): Promise<StoredAlert[]>;
  /**
   * Just the alert events of firing alerts (no timeline or notifications), optionally only those with one of `names`:
   * the inhibition sources, read once per batch.
   */
  firingAlerts(limit: number, names?: string[]): Promise<Alert[]>;
  /** The most recent alert for a fingerprint, open or not. */
  latest(fingerprint: string): Promise<StoredAlert | undefined>;
  /**
   * Stores a new alert unless it exists (a redelivery), makes it the fingerprint's latest, and returns what is stored.
   */
  create(alert: StoredAlert): Promise<StoredAlert>;
  /**
   * Applies a newer event to an open alert once per event id, adding `entries` to the timeline in the same write;
   * returns the updated alert, or undefined if already applied.
   */
  applyRepeat(
    alertId: string,
    alert: Alert,
    count: number,
    at: string,
    entries: TimelineEntry[],
  ): Promise<StoredAlert | undefined>;
  /** Resolves an open alert; undefined if it was already resolved. */
  resolve(alertId: string, alert: Alert, count: number, entry: TimelineEntry): Promise<StoredAlert | undefined>;
  recordNotification(alertId: string, targetKey: string, messageId: string, entry: TimelineEntry): Promise<void>;
  /**
   * Leases the right to page until `until`; false if the alert was paged or someone holds an unexpired lease. A page
   * never goes out twice while its sender lives, and is not lost if the sender dies mid-call: the lease runs out.
   */
  claimPage(alertId: string, now: string, until: string): Promise<boolean>;
  /** Marks the alert paged (ending the lease) and records what was sent. */
  recordPaged(alertId: string, at: string, entries: TimelineEntry[]): Promise<void>;
  releasePage(alertId: string): Promise<void>;
  appendTimeline(alertId: string, entries: TimelineEntry[]): Promise<void>;
  /** Acknowledges a firing alert nobody has acknowledged; otherwise unchanged, with who was first. */
  acknowledge(alertId: string, by: Actor, entry: TimelineEntry): Promise<ChangeResult>;
  /** Resolves a firing alert by hand; otherwise unchanged (someone else resolved it, or its source did). */
  resolveByHand(alertId: string, by: Actor, note: string | undefined, entry: TimelineEntry): Promise<ChangeResult>;
  recordSilence(
    alertId: string,
    silence: NonNullable<StoredAlert['silence']>,
    entry: TimelineEntry,
  ): Promise<StoredAlert | undefined>;
  /**
   * Remembers that a chat message asks for the note of an alert resolved from its card (so a reply to it is the note).
   */
  rememberNotePrompt(messageId: string, alertId: string): Promise<void>;
  /** The alert a note prompt belongs to, if `messageId` is one. */
  alertForNotePrompt(messageId: string): Promise<string | undefined>;
  /** Keeps (or updates) the alert's knowledge draft. */
  recordDraft(alertId: string, draft: KnowledgeDraft): Promise<void>;
  /** Takes the right to post a reminder: the alert is firing, unacknowledged and was not reminded since `notSince`. */
  claimReminder(alertId: string, at: string, notSince: string): Promise<boolean>;
}
