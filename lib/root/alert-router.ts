import { sourceAlertNames } from '../alerts/inhibition.js';
import { feishuCardNotifier } from '../alerts/notifiers/feishu-card.js';
import { escalationNotifier } from '../alerts/notifiers/escalation.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import { withOverrides } from '../alerts/overrides.js';
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
  overrideStore,
  silenceStore,
  timersQueue,
} from './adapters.js';
import { env } from './env.js';
import { messenger } from './feishu.js';
import { knowledgeBase } from './knowledge.js';

/** Inhibition needs the alerts firing now; a storm larger than this is already beyond muting one by one. */
const FIRING_SOURCES_LIMIT = 1000;

/**
 * What `alert-router` needs: the alert path's context, made per SQS batch so silences, firing alerts and on-call
 * overrides are read at most once per batch. The configuration is read when this is called (at cold start), so a bad
 * file stops the function with its message.
 */
export function alertRouter() {
  const config = alertingConfig();
  const healRules = automationConfig().automation.selfHealing.rules;
  const sources = sourceAlertNames(config.inhibitRules);
  const log = logger.child({ function: 'alert-router' });
  const notifiers = lazyAsync(async (): Promise<Notifier[]> => {
    const feishu = await messenger('alerts cannot be sent');
    const timeZone = env().DISPLAY_TIME_ZONE;
    return [
      escalationNotifier({
        messenger: feishu,
        policies: config.policies,
        timeZone,
        wakeups: timersQueue(),
        reminderEveryMs: config.reminderIntervalSeconds * 1000,
      }),
      feishuCardNotifier(feishu, { timeZone }),
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
      const overrides = await overrideStore().current(new Date().toISOString());
      return {
        repo,
        incidents: incidentRepository(),
        config: { ...config, teams: withOverrides(config.teams, overrides) },
        notifiers: await notifiers(),
        log,
        now: Date.now,
        muteReason,
        relatedKnowledge: await related(),
      };
    },
  };
}
