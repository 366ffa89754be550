import { formatDuration } from '../../feishu/cards.js';
import type { Messenger } from '../../feishu/messenger.js';
import { stableId } from '../../lambda/ids.js';
import type { Notifier } from './notifier.js';

/**
 * The repeat notification: while an incident fires and nobody has acknowledged it, a reply in each of its chat
 * cards' threads says so, at most once per `everyMs` (Alertmanager's repeat_interval). Acknowledging stops it; so
 * does a silence (a muted alert has no audience). The claim on the incident makes a redelivered or concurrent
 * reminder a no-op.
 */
export function feishuReminderNotifier(messenger: Messenger, options: { everyMs: number }): Notifier {
  return {
    name: 'feishu-reminder',
    async notify({ incident, audience, decision }, { incidents, now, log }) {
      if (decision !== 'remind' || !audience || incident?.state !== 'triggered') return;
      const chats = Object.entries(incident.notifications).filter(([target]) => target.startsWith('chat:'));
      if (!chats.length) return;
      const at = now();
      const notSince = new Date(Date.parse(at) - options.everyMs).toISOString();
      if (!(await incidents.claimReminder(incident.incidentId, at, notSince))) return;
      const lasted = formatDuration(Date.parse(at) - Date.parse(incident.openedAt));
      const text =
        `⏰ 事件仍未恢复，也还没有人确认：已持续 ${lasted}，${incident.firing} 条告警触发中。` +
        '点击卡片上的「确认」即可停止提醒。';
      for (const [target, messageId] of chats) {
        await messenger.reply(messageId, { kind: 'text', text }, stableId(incident.incidentId, 'remind', at));
        log.info('reminder sent', { incidentId: incident.incidentId, target });
      }
      // Only the first reminders are noted: an incident firing for weeks must not outgrow its item.
      if (incident.timeline.filter((entry) => entry.event === 'reminded').length < 20) {
        await incidents.appendTimeline(incident.incidentId, [
          { at, event: 'reminded', detail: `已在 ${chats.length} 个群提醒` },
        ]);
      }
    },
  };
}
