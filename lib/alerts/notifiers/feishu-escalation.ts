import { noticeCard } from '../../feishu/cards.js';
import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import type { Notifier } from './notifier.js';

/**
 * An escalation, when a delivery carries one: a red card in reply to each of the incident's chat cards, and an
 * urgent in-app and phone call to the on-call person on their own card. A call that fails is logged and the others
 * still go out: an escalation is the last word, not something to retry until every channel agrees.
 */
export function feishuEscalationNotifier(messenger: Messenger): Notifier {
  return {
    name: 'feishu-escalation',
    async notify({ incident, escalation }, { log }) {
      if (!escalation || !incident) return;
      const card = noticeCard(escalation.title, escalation.lines, 'red');
      for (const [target, messageId] of Object.entries(incident.notifications)) {
        if (!target.startsWith('chat:')) continue;
        const key = stableId('escalate', incident.incidentId, escalation.key);
        await messenger.reply(messageId, { kind: 'card', card }, key);
      }
      const onCall = incident.plan.onCall;
      const direct = onCall && incident.notifications[`user:${onCall.openId}`];
      if (!onCall || !direct) return;
      for (const kind of ['app', 'phone'] as const) {
        await messenger.urgent(direct, kind, [onCall.openId]).catch((error: unknown) => {
          log.error('escalation page failed', { incidentId: incident.incidentId, kind, error });
        });
      }
    },
  };
}
