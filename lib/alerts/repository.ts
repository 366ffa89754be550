import { stableId } from '../lambda/ids.js';
import type { Alert } from './model.js';
import type { Severity } from './severity.js';
import type { RoutePlan } from './routing.js';

export interface TimelineEntry {
  at: string;
  /** What happened, in the ops domain's words: opened, repeated, notified, paged, resolved… */
  event: string;
  detail?: string;
  /** Who did it (open_id), when a person did: shown by name from the roster. */
  actor?: string;
  /** What it is about, when that is kept elsewhere: an automation request's id (the detail page shows its output). */
  ref?: string;
}

/** A draft article about an incident, kept on the incident until someone saves it to the knowledge base. */
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

/**
 * An alert as we keep it: its latest event, where it belongs, and everything that happened to it. Cards, pages and
 * acknowledgements belong to its incident (lib/incidents).
 */
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
  /** The incident it belongs to (unset for a resolution of an alert never seen firing). */
  incidentId?: string;
  /** Set when a person resolved the alert (with its incident), not its source. */
  resolvedBy?: Actor;
  resolutionNote?: string;
  /** The runbook section that best matches the alert, found when it opened (its incident's card shows it). */
  related?: RelatedKnowledge;
  /** The event that opened this alert, and the last one applied: redeliveries are recognised by them. */
  openedBy: string;
  lastEventId: string;
  timeline: TimelineEntry[];
}

/**
 * A safe action offered on a card, never run by itself: its runbook's (front matter) or a model's (with its reason),
 * its arguments already through the action's schema.
 */
export interface SuggestedAction {
  action: string;
  args: Record<string, unknown>;
  title: string;
  by?: 'runbook' | 'model';
  reason?: string;
}

/**
 * A runbook section that matches an alert: which one, where it is, and its first lines (kept on the incident the alert
 * opens, whose card shows them; the alert keeps only which one, its item being written on every change).
 */
export interface RelatedKnowledge {
  title: string;
  section: string;
  source: string;
  excerpt?: string;
  /** The safe action its runbook suggests for this alert, its arguments filled in and checked (never run by itself). */
  suggested?: SuggestedAction;
}

export const occurrences = (stored: StoredAlert) => Math.max(1, stored.count - stored.countBase + 1);

/** Persistence of alerts; the DynamoDB adapter lives in lib/store. */
export interface AlertRepository {
  get(alertId: string): Promise<StoredAlert | undefined>;
  /** The firing alerts, most recently seen first (`service` narrows them). */
  listFiring(options: { limit: number; service?: string }): Promise<StoredAlert[]>;
  /**
   * Just the alert events of firing alerts (no timeline or notifications), optionally only those with one of `names`:
   * the inhibition sources, read once per batch.
   */
  firingAlerts(limit: number, names?: string[]): Promise<Alert[]>;
  /** The most recent alert for a fingerprint, open or not. */
  latest(fingerprint: string): Promise<StoredAlert | undefined>;
  /**
   * Stores a new alert unless it exists (a redelivery), makes it the fingerprint's latest (an alert named by
   * newAlertId: the first by the fingerprint, a later one by its event), and returns what is stored.
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
  appendTimeline(alertId: string, entries: TimelineEntry[]): Promise<void>;
  /** Resolves a firing alert by hand; otherwise unchanged (someone else resolved it, or its source did). */
  resolveByHand(alertId: string, by: Actor, note: string | undefined, entry: TimelineEntry): Promise<ChangeResult>;
}

/** The id of the first alert stored for a fingerprint: the fingerprint's alone, so it is found without a pointer. */
export const firstAlertId = (fingerprint: string) => stableId('first', fingerprint).slice(0, 12);

/**
 * A new alert's id: the fingerprint's first alert (`first`: none is stored) is named by the fingerprint, a later one
 * (it fired again after resolving) by the event that opens it. Either way a redelivery finds the alert it already
 * created, and so do concurrent first events of a condition.
 */
export const newAlertId = (alert: Pick<Alert, 'fingerprint' | 'eventId'>, first: boolean) =>
  first ? firstAlertId(alert.fingerprint) : stableId(alert.fingerprint, alert.eventId).slice(0, 12);
