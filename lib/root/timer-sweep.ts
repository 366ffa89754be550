import { sweepTimers } from '../incidents/sweep.js';
import { logger } from '../lambda/logger.js';
import { incidentRepository, metrics, timersQueue } from './adapters.js';

/** What `timer-sweep` needs: the incidents' index by state and the timers queue; no Feishu. */
export function timerSweep() {
  const log = logger.child({ function: 'timer-sweep' });
  return {
    run: () =>
      sweepTimers({
        incidents: incidentRepository(),
        wakeups: timersQueue(),
        now: () => new Date().toISOString(),
        log,
        metrics: metrics(),
      }),
  };
}
