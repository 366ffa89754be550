import type { Logger } from '../../lambda/logger.js';
import type { DedupDecision } from '../dedup.js';
import type { StoredIncident } from '../../incidents/model.js';
import type { IncidentRepository } from '../../incidents/repository.js';
import type { AlertRepository, StoredAlert } from '../repository.js';
import type { RoutePlan } from '../routing.js';

/** A call for a person that nothing automatic could settle: why, in a few lines, on a red card. */
export interface Callout {
  title: string;
  /** Card markdown: whatever came from outside is escaped by whoever writes the line. */
  lines: string[];
  /** Names this callout, so a redelivered one posts nothing twice. */
  key: string;
}

/** What a notifier is asked to bring about for one change of an alert. */
export interface Delivery {
  /** The alert as it now is (absent when a person changed the incident). */
  stored?: StoredAlert;
  /** Its incident as it now is: what cards show and pages are about. */
  incident?: StoredIncident;
  /**
   * Who is told about this change, as routing decided after silences and inhibition; unset when nobody new is (the
   * alert is muted, or a person changed it). Cards that exist are brought up to date either way.
   */
  audience?: RoutePlan;
  /** What dedup concluded about the event; unset when a person changed the alert. */
  decision?: DedupDecision;
  /** When the event was received at ingest; unset when a person changed the alert. */
  receivedAt?: string;
  /** People called because something automatic (self-healing) could not settle the alert. */
  callout?: Callout;
  /** False when nothing on the incident changed: cards that exist need no update (Feishu limits updates). */
  changed?: boolean;
  /**
   * The incident's worker is to be woken for this change: its batch's write made the incident owe its cards an update
   * (they were up to date just before), or it is a redelivery. One change per incident and batch.
   */
  dirtied?: boolean;
}

export interface NotifyContext {
  repo: AlertRepository;
  incidents: IncidentRepository;
  now: () => string;
  log: Logger;
}

/**
 * One delivery channel. `notify` brings the channel in line with the delivery (send what was not sent, update what
 * was) and must be safe to run again for the same state: SQS may deliver a message twice.
 */
export interface Notifier {
  name: string;
  notify(delivery: Delivery, context: NotifyContext): Promise<void>;
}
