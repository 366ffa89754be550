import type { Logger } from '../../lambda/logger.js';
import type { AlertRepository, StoredAlert } from '../store.js';

export interface NotifyContext {
  repo: AlertRepository;
  now: () => string;
  log: Logger;
}

/**
 * One delivery channel. `notify` brings the channel in line with the alert's current state (send what was not
 * sent, update what was) and must be safe to run again for the same state: SQS may deliver a message twice.
 */
export interface Notifier {
  name: string;
  notify(stored: StoredAlert, context: NotifyContext): Promise<void>;
}
