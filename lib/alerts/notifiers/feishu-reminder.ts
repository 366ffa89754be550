import { formatDuration } from '../../feishu/cards.js';
import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import { occurrences } from '../repository.js';
import type { Notifier } from './notifier.js';

/**
 * The repeat notification: while an alert keeps firing and nobody has acknowledged it, a reply in each chat card's
 * thread says so, at most once per `everyMs` (Alertmanager's repeat_interval). Acknowledging stops it; so does a
 * silence (a muted alert has no audience). The claim in the store makes a redelivered or concurrent reminder a no-op.
 */
export function feishuReminderNotifier(messenger: Messenger, options: { everyMs: number }): Notifier {
  return {
    name: 'feishu-reminder',
    async notify({ stored, audience, decision }, { repo, now, log }) {
      if (decision !== 'remind' || !audience || stored.status !== 'firing' || stored.acknowledgedBy) return;
      const chats = Object.entries(stored.notifications).filter(([target]) => target.startsWith('chat:'));
      if (!chats.length) return;
      const at = now();
      if (!(await repo.claimReminder(stored.alertId, at, new Date(Date.parse(at) - options.everyMs).toISOString())))
        return;
      const lasted = formatDuration(Date.parse(at) - Date.parse(stored.firstSeenAt));
      const text =
        `⏰ 告警仍未恢复，也还没有人确认：已持续 ${lasted}，共发生 ${occurrences(stored)} 次。` +
        '点击卡片上的「确认」即可停止提醒。';
      for (const [target, messageId] of chats) {
        await messenger.reply(messageId, { kind: 'text', text }, stableId(stored.alertId, 'remind', at));
        log.info('reminder sent', { alertId: stored.alertId, target });
      }
      // Like repeats, only the first reminders are noted: an alert firing for weeks must not outgrow its item.
      if (stored.timeline.filter((entry) => entry.event === 'reminded').length < 20) {
        await repo.appendTimeline(stored.alertId, [{ at, event: 'reminded', detail: `已在 ${chats.length} 个群提醒` }]);
      }
    },
  };
}
