import { feishuCardNotifier } from '../alerts/notifiers/feishu-card.js';
import type { HandlerDeps } from '../chatops/handle.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import { alertRepository, alertingConfig, incidentRepository, silenceStore } from './adapters.js';
import { automationCards, automationDeps } from './automation.js';
import { env } from './env.js';
import { messenger } from './feishu.js';
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
    deps: lazyAsync(async (): Promise<HandlerDeps> => {
      const feishu = await messenger('chat commands cannot be answered');
      const repo = alertRepository();
      const incidents = incidentRepository();
      const cards = feishuCardNotifier(feishu, { timeZone: env().DISPLAY_TIME_ZONE });
      return {
        repo,
        incidents,
        silences: silenceStore(),
        config,
        messenger: feishu,
        now: Date.now,
        timeZone: env().DISPLAY_TIME_ZONE,
        log,
        syncCards: (incident) =>
          cards.notify({ incident }, { repo, incidents, now: () => new Date().toISOString(), log }),
        knowledge: await knowledgeBase(),
        model: await languageModel(),
        automation: { ...automation, cards: automationCards(feishu, log) },
      };
    }),
  };
}
