import type { Notifier } from '../alerts/notifiers/notifier.js';
import type { Queue } from '../lambda/queue.js';
import type { HealRule } from './config.js';
import { matchingRules } from './heal-rules.js';
import type { AutomationTask } from './tasks.js';

/**
 * Hands a newly opened alert to self-healing: one `heal` task per matching rule on the automation queue, where the
 * runner applies the guardrails. An alert with no audience (muted: someone chose quiet) is left alone, and so is
 * every later event of the alert.
 */
export function selfHealNotifier(queue: Queue<AutomationTask>, rules: HealRule[]): Notifier {
  return {
    name: 'self-heal',
    async notify({ stored, audience, decision }, { log }) {
      if (!stored || decision !== 'open' || !audience || stored.status !== 'firing' || !rules.length) return;
      const matched = matchingRules(stored.alert, rules);
      if (!matched.length) return;
      const tasks = matched.map((rule): AutomationTask => ({ kind: 'heal', alertId: stored.alertId, rule: rule.name }));
      const result = await queue.sendAll(tasks);
      if (result.failed.length) throw new Error(`self-healing for ${stored.alertId} could not be queued`);
      log.info('self-healing queued', { alertId: stored.alertId, rules: matched.map((rule) => rule.name) });
    },
  };
}
