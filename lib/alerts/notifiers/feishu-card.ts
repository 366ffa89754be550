import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import { alertCard } from '../card.js';
import { targetKey } from '../routing.js';
import type { Notifier } from './notifier.js';

/**
 * The interactive card: sent once per target of the audience (Feishu's `uuid` makes a retried send a no-op), then
 * patched in place for every later state, so a resolved alert turns its own card green instead of posting a new one.
 * Cards that exist are updated whoever the audience is. One target that fails (a chat the bot was removed from) does
 * not keep the card from the others; the failure is thrown at the end.
 */
export function feishuCardNotifier(messenger: Messenger, options: { timeZone: string }): Notifier {
  return {
    name: 'feishu-card',
    async notify({ stored, audience }, { repo, now, log }) {
      if (!stored.plan.channels.includes('card')) return;
      const card = alertCard(stored, { ...options, now: now() });
      const told = new Set(audience?.targets.map(targetKey));
      const failures: unknown[] = [];
      for (const target of stored.plan.targets) {
        const key = targetKey(target);
        try {
          const messageId = stored.notifications[key];
          if (messageId) {
            await messenger.patchCard(messageId, card);
            continue;
          }
          if (stored.status !== 'firing' || !told.has(key)) continue;
          const sent = await messenger.sendCard(target, card, stableId(stored.alertId, key));
          stored.notifications[key] = sent;
          await repo.recordNotification(stored.alertId, key, sent, {
            at: now(),
            event: 'notified',
            detail: `卡片已发送至 ${key}`,
          });
          log.info('card sent', { alertId: stored.alertId, target: key, messageId: sent });
        } catch (error) {
          log.error('card failed', { alertId: stored.alertId, target: key, error });
          failures.push(error);
        }
      }
      if (failures.length) {
        const message = `${failures.length} of ${stored.plan.targets.length} cards failed for ${stored.alertId}`;
        throw new AggregateError(failures, message);
      }
    },
  };
}
