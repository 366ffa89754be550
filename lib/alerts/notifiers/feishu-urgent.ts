import type { Messenger } from '../../feishu/messenger.js';
import { incidentCard } from '../../incidents/card.js';
import { stableId } from '../../lambda/ids.js';
import type { TimelineEntry } from '../repository.js';
import type { Channel } from '../routing.js';
import type { Notifier } from './notifier.js';

/** Longer than a card and three urgent calls at the Feishu timeout, shorter than the notify queue's visibility. */
const PAGE_LEASE_MS = 2 * 60_000;

const kinds: { channel: Channel; kind: 'app' | 'sms' | 'phone'; label: string }[] = [
  { channel: 'urgent_app', kind: 'app', label: '应用内加急' },
  { channel: 'urgent_sms', kind: 'sms', label: '短信加急' },
  { channel: 'urgent_phone', kind: 'phone', label: '电话加急' },
];

/**
 * 加急 for the on-call person about the incident: its card is sent to them directly (direct messages go only to
 * the people a page is for; Feishu pages only about the bot's own messages, to users in that chat, which a p2p card
 * always is), then each urgent channel rings. The page is leased on the incident before any call, so a redelivery
 * or a second member never rings a phone twice; if every channel fails the lease is released and the event retried,
 * and if this invocation dies mid-call the lease runs out, so the page is retried rather than lost. An acknowledged
 * or resolved incident pages nobody.
 */
export function feishuUrgentNotifier(messenger: Messenger, options: { timeZone: string }): Notifier {
  return {
    name: 'feishu-urgent',
    async notify({ incident, audience }, { incidents, now, log }) {
      const wanted = kinds.filter(({ channel }) => audience?.channels.includes(channel));
      const person = incident?.plan.onCall;
      if (!incident || !wanted.length || !person || incident.state !== 'triggered' || incident.pagedAt) return;
      const start = now();
      const until = new Date(Date.parse(start) + PAGE_LEASE_MS).toISOString();
      if (!(await incidents.claimPage(incident.incidentId, start, until))) return;
      const target = `user:${person.openId}`;
      let messageId = incident.notifications[target];
      if (!messageId) {
        try {
          const card = incidentCard(incident, { ...options, now: start });
          messageId = await messenger.sendCard(
            { kind: 'user', id: person.openId },
            card,
            stableId(incident.incidentId, target),
          );
          const entry = { at: now(), event: 'notified', detail: `卡片已发送至 ${target}` };
          await incidents.recordNotifications(incident.incidentId, { [target]: messageId }, [entry]);
          incident.notifications[target] = messageId;
        } catch (error) {
          await incidents.releasePage(incident.incidentId);
          throw error;
        }
      }
      const entries: TimelineEntry[] = [];
      for (const { kind, label } of wanted) {
        try {
          await messenger.urgent(messageId, kind, [person.openId]);
          entries.push({ at: now(), event: 'paged', detail: `${label}：${person.name}`, actor: person.openId });
        } catch (error) {
          log.error('page failed', { incidentId: incident.incidentId, kind, error });
          entries.push({ at: now(), event: 'page_failed', detail: `${label}失败：${(error as Error).message}` });
        }
      }
      if (!entries.some((entry) => entry.event === 'paged')) {
        await incidents.releasePage(incident.incidentId);
        throw new Error(`every page to ${person.openId} for incident ${incident.incidentId} failed`);
      }
      await incidents.recordPaged(incident.incidentId, now(), entries);
      incident.pagedAt = now();
      incident.timeline.push(...entries);
    },
  };
}
