import type { Wakeup } from '../../../lib/incidents/timers.js';
import { onWakeup, type WorkerDeps } from '../../../lib/incidents/worker.js';
import type { RecordingQueue } from './queue.js';

/**
 * The incident worker as incident-timers runs it: every wakeup queued so far that is due by the deps' clock, in the
 * order queued, until none is left; wakeups for later stay queued for a later call. With a `horizonMs`, wakeups due
 * that much later count as due (the spacing between rounds, for tests whose clock stands still).
 */
export function wakeupRunner(wakeups: RecordingQueue<Wakeup>, deps: WorkerDeps, horizonMs = 0) {
  let taken = 0;
  const pending: Wakeup[] = [];
  return async function work() {
    for (;;) {
      pending.push(...wakeups.sent.slice(taken).map((sent) => sent.message));
      taken = wakeups.sent.length;
      const by = new Date(Date.parse(deps.now()) + horizonMs).toISOString();
      const due = pending.findIndex((wakeup) => wakeup.at <= by);
      if (due < 0) return;
      await onWakeup(pending.splice(due, 1)[0]!, deps);
    }
  };
}
