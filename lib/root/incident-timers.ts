import { withOverrides } from '../alerts/overrides.js';
import type { ReleaseDeps } from '../incidents/release.js';
import type { WorkerDeps } from '../incidents/worker.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import {
  alertRepository,
  alertingConfig,
  incidentRepository,
  mutesNow,
  overrideStore,
  timersQueue,
} from './adapters.js';
import { env } from './env.js';
import { messenger } from './feishu.js';

/**
 * What `incident-timers` (the incident worker) needs: Feishu, the escalation policies and the teams with the
 * overrides set from chat (read once per batch), the timers queue for the next wakeup, and for releasing muted alerts
 * the silences and firing alerts (read once per batch, when a release asks). The configuration is read at cold start.
 */
export function incidentTimers() {
  const config = alertingConfig();
  const log = logger.child({ function: 'incident-timers' });
  const base = lazyAsync(async () => ({
    messenger: await messenger('incident cards and pages cannot be sent'),
    incidents: incidentRepository(),
    policies: config.policies,
    timeZone: env().DISPLAY_TIME_ZONE,
    now: () => new Date().toISOString(),
    log,
    wakeups: timersQueue(),
    reminderEveryMs: config.reminderIntervalSeconds * 1000,
  }));
  return {
    async forBatch(): Promise<WorkerDeps & ReleaseDeps> {
      const overrides = await overrideStore().current(new Date().toISOString());
      const muteReason = mutesNow();
      return {
        ...(await base()),
        teams: withOverrides(config.teams, overrides),
        alerts: alertRepository(),
        muteReason,
      };
    },
  };
}
