import type { Messenger } from '../../feishu/messenger.js';
import type { Channel } from '../routing.js';
import type { TimelineEntry } from '../repository.js';
import type { Notifier } from './notifier.js';

/** Longer than three urgent calls at the Feishu timeout, shorter than the notify queue's visibility timeout. */
const PAGE_LEASE_MS = 2 * 60_000;

const kinds: { channel: Channel; kind: 'app' | 'sms' | 'phone'; label: string }[] = [
  { channel: 'urgent_app', kind: 'app', label: '应用内加急' },
  { channel: 'urgent_sms', kind: 'sms', label: '短信加急' },
  { channel: 'urgent_phone', kind: 'phone', label: '电话加急' },
];

/**
 * 加急 for the on-call person, on the card sent to them directly (Feishu pages only about the bot's own messages,
 * to users in that chat: a p2p card always qualifies). The page is leased in the store before any call, so a
 * redelivery never rings a phone twice; if every channel fails the lease is released and the message retried, and if
 * this invocation dies mid-call the lease runs out, so the page is retried rather than lost.
 */
export function feishuUrgentNotifier(messenger: Messenger): Notifier {
  return {
    name: 'feishu-urgent',
    async notify({ stored, audience }, { repo, now, log }) {
      const wanted = kinds.filter(({ channel }) => audience?.channels.includes(channel));
      const person = audience?.onCall;
      // Someone who acknowledged the alert is already on it.
      if (!wanted.length || !person || stored.status !== 'firing' || stored.pagedAt || stored.acknowledgedBy) return;
      const messageId = stored.notifications[`user:${person.openId}`];
      if (!messageId) {
        log.warn('page skipped: no card was sent to the on-call person', { alertId: stored.alertId });
        return;
      }
      const start = now();
      if (!(await repo.claimPage(stored.alertId, start, new Date(Date.parse(start) + PAGE_LEASE_MS).toISOString())))
        return;
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
      await repo.recordPaged(stored.alertId, now(), entries);
    },
  };
}
