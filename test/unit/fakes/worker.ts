import type { Team } from '../../../lib/alerts/oncall.js';
import type { EscalationPolicy } from '../../../lib/incidents/escalation.js';
import type { StoredIncident } from '../../../lib/incidents/model.js';
import type { Wakeup } from '../../../lib/incidents/timers.js';
import { onWakeup, type WorkerDeps } from '../../../lib/incidents/worker.js';
import { MemoryIncidentRepository } from './incident-repository.js';
import { recordingLogger } from './logger.js';
import { RecordingMessenger } from './messenger.js';
import { RecordingQueue } from './queue.js';

/**
 * The incident worker around one stored incident, on a clock that stands at `start` until `at(ms)` moves it:
 * `wake()` is a wakeup for it now, `current()` the incident as stored.
 */
export function workerAround(
  incident: StoredIncident,
  options: { start: number; teams?: Map<string, Team>; policies?: Map<string, EscalationPolicy>; remindMs?: number },
) {
  const incidents = new MemoryIncidentRepository();
  const messenger = new RecordingMessenger();
  const wakeups = new RecordingQueue<Wakeup>();
  let clock = options.start;
  const deps: WorkerDeps = {
    messenger,
    incidents,
    teams: options.teams ?? new Map(),
    policies: options.policies ?? new Map(),
    timeZone: 'Asia/Shanghai',
    now: () => new Date(clock).toISOString(),
    log: recordingLogger(),
    wakeups,
    sleep: async (ms) => void (clock += ms),
    reminderEveryMs: options.remindMs ?? 3_600_000,
  };
  incidents.incidents.set(incident.incidentId, structuredClone(incident));
  const current = () => incidents.incidents.get(incident.incidentId)!;
  const wake = (at = deps.now()) => onWakeup({ incidentId: incident.incidentId, at }, deps);
  return { deps, incidents, messenger, wakeups, current, wake, at: (ms: number) => (clock = options.start + ms) };
}

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
