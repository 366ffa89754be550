import type { DedupDeps } from '../alerts/dedup.js';
import { alertingConfig, dedupStore, metrics, notifyQueue } from './adapters.js';

/** What `alert-dedup` needs: the dedup table, the configured windows and the notify queue. */
export function alertDedup(): DedupDeps {
  const notify = notifyQueue();
  return {
    store: dedupStore(),
    windows: alertingConfig().dedup,
    forward: async (items) => (await notify.sendAll(items)).failed,
    metrics: metrics(),
  };
}
