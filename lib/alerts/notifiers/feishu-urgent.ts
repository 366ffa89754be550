import type { Messenger } from '../../feishu/messenger.js';
import type { Channel } from '../routing.js';
import type { TimelineEntry } from '../store.js';
import type { Notifier } from './notifier.js';

const kinds: { channel: Channel; kind: 'app' | 'sms' | 'phone'; label: string }[] = [
  { channel: 'urgent_app', kind: 'app', label: '应用内加急' },
  { channel: 'urgent_sms', kind: 'sms', label: '短信加急' },
  { channel: 'urgent_phone', kind: 'phone', label: '电话加急' },
];

/**
 * 加急 for the on-call person, on the card sent to them directly (Feishu pages only about the bot's own messages,
 * to users in that chat: a p2p card always qualifies). The page is claimed in the store before any call, so a
 * redelivery never rings a phone twice; if every channel fails the claim is released and the message retried.
 */
export function feishuUrgentNotifier(messenger: Messenger): Notifier {
  return {
    name: 'feishu-urgent',
    async notify(stored, { repo, now, log }) {
      const wanted = kinds.filter(({ channel }) => stored.plan.channels.includes(channel));
      const person = stored.plan.onCall;
      if (!wanted.length || !person || stored.status !== 'firing' || stored.pagedAt) return;
      const messageId = stored.notifications[`user:${person.openId}`];
      if (!messageId) {
        log.warn('page skipped: no card was sent to the on-call person', { alertId: stored.alertId });
        return;
      }
      if (!(await repo.claimPage(stored.alertId, now()))) return;
      const entries: TimelineEntry[] = [];
      for (const { kind, label } of wanted) {
        try {
          await messenger.urgent(messageId, kind, [person.openId]);
          entries.push({ at: now(), event: 'paged', detail: `${label}：${person.name}` });
        } catch (error) {
          log.error('page failed', { alertId: stored.alertId, kind, error });
          entries.push({ at: now(), event: 'page_failed', detail: `${label}失败：${(error as Error).message}` });
        }
      }
      if (!entries.some((entry) => entry.event === 'paged')) {
        await repo.releasePage(stored.alertId);
        throw new Error(`every page to ${person.openId} for ${stored.alertId} failed`);
      }
      await repo.appendTimeline(stored.alertId, entries);
    },
  };
}
