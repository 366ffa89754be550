import { noticeCard } from '../../feishu/cards.js';
import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import type { Notifier } from './notifier.js';

/**
 * A callout, when a delivery carries one: a red card in reply to each of the incident's chat cards, and an
 * urgent in-app and phone call to the on-call person on their own card. A call that fails is logged and the others
 * still go out: a callout is the last word, not something to retry until every channel agrees.
 */
export function feishuCalloutNotifier(messenger: Messenger): Notifier {
  return {
    name: 'feishu-callout',
    async notify({ incident, callout }, { log }) {
      if (!callout || !incident) return;
      const card = noticeCard(callout.title, callout.lines, 'red');
      for (const [target, messageId] of Object.entries(incident.notifications)) {
        if (!target.startsWith('chat:')) continue;
        const key = stableId('callout', incident.incidentId, callout.key);
        await messenger.reply(messageId, { kind: 'card', card }, key);
      }
      const onCall = incident.plan.onCall;
      const direct = onCall && incident.notifications[`user:${onCall.openId}`];
      if (!onCall || !direct) return;
      for (const kind of ['app', 'phone'] as const) {
        await messenger.urgent(direct, kind, [onCall.openId]).catch((error: unknown) => {
          log.error('callout page failed', { incidentId: incident.incidentId, kind, error });
        });
      }
    },
  };
}
