import { feishuCardNotifier } from '../alerts/notifiers/feishu-card.js';
import { withOverrides } from '../alerts/overrides.js';
import type { TimerDeps } from '../incidents/timers.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import { alertRepository, alertingConfig, incidentRepository, overrideStore, timersQueue } from './adapters.js';
import { env } from './env.js';
import { messenger } from './feishu.js';

/**
 * What `incident-timers` needs: paging (Feishu, the escalation policies, the teams with the overrides set from chat,
 * read once per batch), the timers queue for the next wakeup, and the card notifier to show a step on the cards.
 * The configuration is read at cold start.
 */
export function incidentTimers() {
  const config = alertingConfig();
  const log = logger.child({ function: 'incident-timers' });
  const base = lazyAsync(async (): Promise<Omit<TimerDeps, 'teams'>> => {
    const feishu = await messenger('incidents cannot be escalated');
    const timeZone = env().DISPLAY_TIME_ZONE;
    const incidents = incidentRepository();
    const cards = feishuCardNotifier(feishu, { timeZone });
    const now = () => new Date().toISOString();
    return {
      messenger: feishu,
      incidents,
      policies: config.policies,
      timeZone,
      now,
      log,
      wakeups: timersQueue(),
      reminderEveryMs: config.reminderIntervalSeconds * 1000,
      updateCards: (incident) =>
        cards.notify(
          { incident, changed: true },
          { repo: alertRepository(), incidents, teams: config.teams, now, log },
        ),
    };
  });
  return {
    async forBatch(): Promise<TimerDeps> {
      const overrides = await overrideStore().current(new Date().toISOString());
      return { ...(await base()), teams: withOverrides(config.teams, overrides) };
    },
  };
}
