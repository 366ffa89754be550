import type { Messenger } from '../../feishu/messenger.js';
import { incidentCard } from '../../incidents/card.js';
import { isOpen } from '../../incidents/model.js';
import { stableId } from '../../lambda/ids.js';
import { targetKey } from '../routing.js';
import type { Notifier } from './notifier.js';

/**
 * The incident's card: sent once per target of its route's chats and users (Feishu's `uuid` makes a retried send a
 * no-op), then patched in place for every later state, so members joining update the same card and a resolved
 * incident turns its own card green. Cards that exist are updated whoever the audience is; new ones go out only to
 * an audience (a muted alert tells nobody new). One target that fails (a chat the bot was removed from) does not
 * keep the card from the others; the failure is thrown at the end, and the retry sends only what is missing.
 */
export function feishuCardNotifier(messenger: Messenger, options: { timeZone: string }): Notifier {
  return {
    name: 'feishu-card',
    async notify({ incident, audience, changed }, { incidents, now, log }) {
      if (!incident) return;
      const card = incidentCard(incident, { ...options, now: now() });
      const failures: unknown[] = [];
      const sent: Record<string, string> = {};
      for (const [target, messageId] of changed === false ? [] : Object.entries(incident.notifications)) {
        try {
          await messenger.patchCard(messageId, card);
        } catch (error) {
          log.error('card update failed', { incidentId: incident.incidentId, target, error });
          failures.push(error);
        }
      }
      const sending = isOpen(incident) && audience?.channels.includes('card');
      for (const target of sending ? incident.plan.targets : []) {
        const key = targetKey(target);
        if (incident.notifications[key]) continue;
        try {
          sent[key] = await messenger.sendCard(target, card, stableId(incident.incidentId, key));
          log.info('card sent', { incidentId: incident.incidentId, target: key, messageId: sent[key] });
        } catch (error) {
          log.error('card failed', { incidentId: incident.incidentId, target: key, error });
          failures.push(error);
        }
      }
      if (Object.keys(sent).length) {
        const entries = Object.keys(sent).map((key) => ({
          at: now(),
          event: 'notified',
          detail: `卡片已发送至 ${key}`,
        }));
        await incidents.recordNotifications(incident.incidentId, sent, entries);
        Object.assign(incident.notifications, sent);
      }
      if (failures.length) {
        const message = `${failures.length} card calls failed for incident ${incident.incidentId}`;
        throw new AggregateError(failures, message);
      }
    },
  };
}
