import type { Logger } from '../lambda/logger.js';
import type { Metrics } from '../lambda/metrics.js';
import type { Queue } from '../lambda/queue.js';
import type { IncidentRepository } from './repository.js';
import type { Wakeup } from './timers.js';

/** More due timers than this in one minute are left for the next sweep. */
const SWEEP_LIMIT = 1000;

/**
 * The net under the delayed wakeups: every triggered incident with a timer due by now gets a wakeup now. A wakeup
 * that was lost (a send that failed after its step was claimed, a local runtime restarted) or that ran out of
 * retries is so made up for within a minute; one that is merely late does its work twice over, which the incident's
 * conditional writes turn into once.
 */
export async function sweepTimers(deps: {
  incidents: IncidentRepository;
  wakeups: Queue<Wakeup>;
  now: () => string;
  log: Logger;
  metrics?: Metrics;
}): Promise<{ due: number }> {
  const now = deps.now();
  const due = await deps.incidents.dueTimers(now, SWEEP_LIMIT);
  if (due.length) {
    const { failed } = await deps.wakeups.sendAll(due.map((incidentId) => ({ incidentId, at: now })));
    if (failed.length) throw new Error(`${failed.length} of ${due.length} due timers could not be queued`);
    // Only when there were some: a metric published every minute of an idle month is billed for the whole month.
    deps.metrics?.add('SweptTimers', {}, due.length);
  }
  deps.log.info('timers swept', { due: due.length });
  return { due: due.length };
}
