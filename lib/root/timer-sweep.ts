import { sweepWeeklyReport } from '../incidents/report-schedule.js';
import { sweepTimers } from '../incidents/sweep.js';
import { logger } from '../lambda/logger.js';
import { alertingConfig, deliveryLedger, incidentRepository, metrics, timersQueue } from './adapters.js';
import { env } from './env.js';

/**
 * What `timer-sweep` needs: the incidents' index by state, the timers queue, and when the weekly report is due
 * (routing.yaml, read at cold start); no Feishu.
 */
export function timerSweep() {
  const log = logger.child({ function: 'timer-sweep' });
  const schedule = alertingConfig().collaboration.weeklyReport;
  return {
    async run() {
      const swept = await sweepTimers({
        incidents: incidentRepository(),
        wakeups: timersQueue(),
        now: () => new Date().toISOString(),
        log,
        metrics: metrics(),
      });
      await sweepWeeklyReport({
        schedule,
        claims: deliveryLedger(),
        reports: timersQueue(),
        timeZone: env().DISPLAY_TIME_ZONE,
        now: Date.now,
        log,
      });
      return swept;
    },
  };
}
