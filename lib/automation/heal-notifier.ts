import { matchingRules } from './heal-rules.js';
import type { HealRule } from './config.js';
import type { AutomationTask } from './tasks.js';
import type { Queue } from '../lambda/queue.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';

/**
 * Hands a newly opened alert to self-healing: one `heal` task per matching rule on the automation queue, where the
 * runner applies the guardrails. A muted alert is left alone (someone chose quiet), and so is every later event.
 */
export function selfHealNotifier(queue: Queue<AutomationTask>, rules: HealRule[]): Notifier {
  return {
    name: 'self-heal',
    async notify(stored, { decision, muted, log }) {
      if (decision !== 'open' || stored.status !== 'firing' || muted || !rules.length) return;
      const tasks = matchingRules(stored.alert, rules).map((rule): AutomationTask => ({
        kind: 'heal',
        alertId: stored.alertId,
        rule: rule.name,
      }));
      if (!tasks.length) return;
      const result = await queue.sendAll(tasks);
      if (result.failed.length) throw new Error(`self-healing for ${stored.alertId} could not be queued`);
      log.info('self-healing queued', {
        alertId: stored.alertId,
        rules: tasks.map((task) => (task as { rule: string }).rule),
      });
    },
  };
}
