import * as z from 'zod';
import type { Alert } from '../alerts/model.js';
import type { AlertRepository } from '../alerts/repository.js';
import type { MuteReason } from '../alerts/stages/stage.js';
import type { Queue } from '../lambda/queue.js';
import type { Logger } from '../lambda/logger.js';
import { weeklyReportSchema } from './report-schedule.js';
import { listOpen, type IncidentRepository } from './repository.js';
import { onTime, sendAt, wakeAt, wakeupSchema, type TimerQueueDeps, type Wakeup } from './timers.js';

/**
 * A check of the muted members of open incidents, queued on the timers queue when a mute may have ended: a silence
 * expired from chat or reaching its end, an inhibiting alert resolved. `reason` is for the logs and the timeline.
 */
export const muteReleaseSchema = z.object({
  release: z.literal('mutes'),
  at: z.iso.datetime(),
  reason: z.string().max(300),
});
export type MuteRelease = z.infer<typeof muteReleaseSchema>;

/** What the timers queue carries: an incident's wakeup, a release check, or the weekly report. */
export const timerMessageSchema = z.union([wakeupSchema, muteReleaseSchema, weeklyReportSchema]);
export type TimerMessage = z.infer<typeof timerMessageSchema>;

/** Open incidents looked at per state: a storm beyond this is already beyond muting one by one. */
const OPEN_INCIDENTS_LIMIT = 500;

/** Queues a release check for `at` (sendAt: sent on again until then). */
export const releaseAt = (queue: Queue<MuteRelease>, at: string, reason: string, nowMs: number) =>
  sendAt(queue, { release: 'mutes', at, reason: reason.slice(0, 300) }, nowMs, RELEASE);

const RELEASE = 'the release of muted alerts';

export interface ReleaseDeps extends TimerQueueDeps<Wakeup | MuteRelease> {
  incidents: IncidentRepository;
  alerts: Pick<AlertRepository, 'get'>;
  /** Silences and inhibition as they are now (muteChecker). */
  muteReason: (alert: Alert) => Promise<MuteReason | undefined>;
  now: () => string;
  log: Logger;
}

/**
 * Tells of the members that were muted and no longer are: each open incident with firing muted members has them
 * checked against the silences and inhibition of now, those set free are unmuted in one write (its version bumped),
 * and the incident's worker is woken to send or update its cards and start its escalation, as if they had just come.
 * Running it twice frees nobody twice: a member already unmuted is not looked at again.
 */
export async function releaseMuted(release: MuteRelease, deps: ReleaseDeps): Promise<void> {
  if (!(await onTime(release, deps, Date.parse(deps.now()), RELEASE))) return;
  let freed = 0;
  for (const incident of await listOpen(deps.incidents, { limit: OPEN_INCIDENTS_LIMIT })) {
    const muted = Object.values(incident.members).filter((member) => member.muted && member.status === 'firing');
    const free: string[] = [];
    for (const member of muted) {
      const stored = await deps.alerts.get(member.alertId);
      if (stored?.status === 'firing' && !(await deps.muteReason(stored.alert))) free.push(member.alertId);
    }
    if (!free.length) continue;
    const at = deps.now();
    const entry = { at, event: 'unmuted', detail: `${free.length} 条告警解除屏蔽：${release.reason}` };
    if (!(await deps.incidents.unmuteMembers(incident.incidentId, free, entry))) continue;
    await wakeAt(deps.wakeups, incident.incidentId, at, Date.parse(at));
    freed += free.length;
  }
  deps.log.info('muted alerts released', { reason: release.reason, freed });
}
