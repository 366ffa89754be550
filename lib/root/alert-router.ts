import { sourceAlertNames } from '../alerts/inhibition.js';
import { feishuCardNotifier } from '../alerts/notifiers/feishu-card.js';
import { feishuReminderNotifier } from '../alerts/notifiers/feishu-reminder.js';
import { feishuUrgentNotifier } from '../alerts/notifiers/feishu-urgent.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import { muteChecker } from '../alerts/stages/mute.js';
import type { AlertPathContext } from '../alerts/stages/stage.js';
import { selfHealNotifier } from '../automation/heal-notifier.js';
import { relatedKnowledge } from '../kb/related.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import {
  alertRepository,
  alertingConfig,
  automationConfig,
  automationQueue,
  incidentRepository,
  silenceStore,
} from './adapters.js';
import { env } from './env.js';
import { messenger } from './feishu.js';
import { knowledgeBase } from './knowledge.js';

/** Inhibition needs the alerts firing now; a storm larger than this is already beyond muting one by one. */
const FIRING_SOURCES_LIMIT = 1000;

/**
 * What `alert-router` needs: the alert path's context, made per SQS batch so silences and firing alerts are read at
 * most once per batch. The configuration is read when this is called (at cold start), so a bad file stops the
 * function with its message.
 */
export function alertRouter() {
  const config = alertingConfig();
  const healRules = automationConfig().automation.selfHealing.rules;
  const sources = sourceAlertNames(config.inhibitRules);
  const log = logger.child({ function: 'alert-router' });
  const notifiers = lazyAsync(async (): Promise<Notifier[]> => {
    const feishu = await messenger('alerts cannot be sent');
    return [
      feishuCardNotifier(feishu, { timeZone: env().DISPLAY_TIME_ZONE }),
      feishuUrgentNotifier(feishu, { timeZone: env().DISPLAY_TIME_ZONE }),
      feishuReminderNotifier(feishu, { everyMs: config.reminderIntervalSeconds * 1000 }),
      selfHealNotifier(automationQueue(), healRules),
    ];
  });
  const related = lazyAsync(async () => {
    const kb = await knowledgeBase();
    return kb && relatedKnowledge(kb);
  });
  return {
    async forBatch(): Promise<AlertPathContext> {
      const repo = alertRepository();
      const silences = silenceStore();
      const muteReason = muteChecker(
        { silences: () => silences.list(), firing: () => repo.firingAlerts(FIRING_SOURCES_LIMIT, sources) },
        config.inhibitRules,
        Date.now(),
      );
      return {
        repo,
        incidents: incidentRepository(),
        config,
        notifiers: await notifiers(),
        log,
        now: Date.now,
        muteReason,
        relatedKnowledge: await related(),
      };
    },
  };
}
