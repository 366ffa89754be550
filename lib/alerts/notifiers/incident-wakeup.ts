import type { Queue } from '../../lambda/queue.js';
import { wakeAt, type Wakeup } from '../../incidents/timers.js';
import type { Notifier } from './notifier.js';

/**
 * Hands a changed incident to its worker (lib/incidents/worker.ts, run by `incident-timers`), which sends and
 * updates its cards and pages by its escalation policy: the alert path itself never waits on Feishu, and a Feishu
 * that fails holds up no alert. Only the batch write that made up-to-date cards owe an update wakes it, once (attach
 * marks one of its changes); the changes that follow are left to that wakeup, or to the worker holding the incident
 * (its release is conditional on the version it showed), so a storm of members costs a wakeup per round, not per
 * member.
 */
export function incidentWakeupNotifier(wakeups: Queue<Wakeup>): Notifier {
  return {
    name: 'incident-wakeup',
    async notify({ incident, dirtied, receivedAt }, { now }) {
      if (!incident || !dirtied) return;
      // Rounds of one incident a quarter of a second apart at least, however changes trickle in: its messages stay
      // inside Feishu's 5 updates a second, whichever worker holds them.
      const nowMs = Date.parse(now());
      const at = Math.max(nowMs, Date.parse(incident.deliveredAt ?? '') + ROUND_SPACING_MS || 0);
      await wakeAt(wakeups, incident.incidentId, new Date(at).toISOString(), nowMs, { receivedAt });
    },
  };
}

const ROUND_SPACING_MS = 250;
