import type { ChatopsDeps } from '../chatops/command.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import { releaseAt } from '../incidents/release.js';
import { runDue, wakeAt } from '../incidents/timers.js';
import {
  alertRepository,
  alertingConfig,
  alertsQueue,
  incidentRepository,
  overrideStore,
  permissionRules,
  silenceStore,
  timersQueue,
} from './adapters.js';
import { automationCards, automationDeps } from './automation.js';
import { detailLinks } from './detail-links.js';
import { env } from './env.js';
import { messenger } from './feishu.js';
import { workerDeps } from './incident-timers.js';
import { knowledgeBase, languageModel } from './knowledge.js';

/**
 * What `chatops` needs: the alerts and silences, the messenger, the knowledge base and model, and the automation
 * gate. The configuration is read when this is called (at cold start), so a bad file stops the function.
 */
export function chatops() {
  const config = alertingConfig();
  const automation = automationDeps(logger.child({ function: 'chatops' }));
  const log = automation.log;
  return {
    deps: lazyAsync(async (): Promise<ChatopsDeps> => {
      const feishu = await messenger('chat commands cannot be answered');
      const repo = alertRepository();
      const incidents = incidentRepository();
      const timeZone = env().DISPLAY_TIME_ZONE;
      const overrides = overrideStore();
      const isoNow = () => new Date().toISOString();
      return {
        repo,
        incidents,
        silences: silenceStore(),
        config,
        messenger: feishu,
        now: Date.now,
        timeZone,
        detailLink: await detailLinks(),
        log,
        syncCards: (incident) => wakeAt(timersQueue(), incident.incidentId, isoNow(), Date.now()),
        raiseAlert: async (alert) => {
          const { failed } = await alertsQueue().sendAll([alert]);
          if (failed.length) throw new Error(`alert ${alert.eventId} could not be queued`);
        },
        releaseMutes: (at, reason) => releaseAt(timersQueue(), at, reason, Date.now()),
        audit: automation.audit,
        permissions: permissionRules(),
        overrides,
        escalateNow: async (incident) => runDue(incident, await workerDeps(feishu, log), { manual: true }),
        knowledge: await knowledgeBase(),
        model: await languageModel(),
        automation: { ...automation, cards: automationCards(feishu, log) },
      };
    }),
  };
}
