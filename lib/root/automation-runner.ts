import { feishuCalloutNotifier } from '../alerts/notifiers/feishu-callout.js';
import type { RunnerDeps } from '../automation/runner.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import type { IncidentNote } from '../incidents/timeline.js';
import { wakeAt } from '../incidents/timers.js';
import { alertRepository, healLedger, incidentRepository, metrics, timersQueue } from './adapters.js';
import { automationCards, automationDeps } from './automation.js';
import { env } from './env.js';
import { executors } from './executors.js';
import { messenger } from './feishu.js';

/**
 * What `automation-runner` needs: the request gate, every action's executor, the request cards, and for
 * self-healing the alerts, the run ledger and the callout notifier. Configuration is read at cold start.
 */
export function automationRunner() {
  const automation = automationDeps(logger.child({ function: 'automation-runner' }));
  const actions = executors();
  const noteOnIncident: IncidentNote = async (incidentId, entry) => {
    await incidentRepository().appendTimeline(incidentId, [entry]);
    await wakeAt(timersQueue(), incidentId, new Date().toISOString(), Date.now());
  };
  return {
    deps: lazyAsync(async (): Promise<RunnerDeps> => {
      const feishu = await messenger('automation cannot report');
      return {
        ...automation,
        executors: actions,
        timeZone: env().DISPLAY_TIME_ZONE,
        cards: automationCards(feishu, automation.log),
        metrics: metrics(),
        noteOnIncident,
        healing: {
          noteOnIncident,
          ...automation,
          alerts: alertRepository(),
          incidents: incidentRepository(),
          ledger: healLedger(),
          callout: feishuCalloutNotifier(feishu),
          httpCheck: actions.http_check,
        },
      };
    }),
  };
}
