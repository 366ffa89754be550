import type { Logger } from '../../lambda/logger.js';
import type { DedupDecision } from '../dedup.js';
import type { AlertRepository, StoredAlert } from '../store.js';

export interface NotifyContext {
  repo: AlertRepository;
  now: () => string;
  log: Logger;
  /** Silenced or inhibited: what was sent may be updated, nothing new goes out and nobody is paged. */
  muted?: boolean;
  /** What dedup concluded about the event being applied; absent when a person changed the alert. */
  decision?: DedupDecision;
}

/**
 * One delivery channel. `notify` brings the channel in line with the alert's current state (send what was not
 * sent, update what was) and must be safe to run again for the same state: SQS may deliver a message twice.
 */
export interface Notifier {
  name: string;
  notify(stored: StoredAlert, context: NotifyContext): Promise<void>;
}
