import { noticeCard } from '../../feishu/cards.js';
import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import type { Notifier } from './notifier.js';

/**
 * An escalation, when a delivery carries one: a red card in reply to each of the alert's chat cards, and an urgent
 * in-app and phone call to the on-call person on their own card. A call that fails is logged and the others still go
 * out: an escalation is the last word, not something to retry until every channel agrees.
 */
export function feishuEscalationNotifier(messenger: Messenger): Notifier {
  return {
    name: 'feishu-escalation',
    async notify({ stored, escalation }, { log }) {
      if (!escalation) return;
      const card = noticeCard(escalation.title, escalation.lines, 'red');
      for (const [target, messageId] of Object.entries(stored.notifications)) {
        if (!target.startsWith('chat:')) continue;
        await messenger.reply(messageId, { kind: 'card', card }, stableId('escalate', stored.alertId, escalation.key));
      }
      const onCall = stored.plan.onCall;
      const direct = onCall && stored.notifications[`user:${onCall.openId}`];
      if (!onCall || !direct) return;
      for (const kind of ['app', 'phone'] as const) {
        await messenger.urgent(direct, kind, [onCall.openId]).catch((error: unknown) => {
          log.error('escalation page failed', { alertId: stored.alertId, kind, error });
        });
      }
    },
  };
}
