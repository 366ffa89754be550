import * as z from 'zod';
import { headerColour, severityLabel } from '../../alerts/card.js';
import { severities, type Severity } from '../../alerts/model.js';
import { occurrences, type StoredAlert } from '../../alerts/repository.js';
import { escapeMarkdown, formatDuration, formatTime, noticeCard } from '../../feishu/cards.js';
import { draftFromIncident } from '../../kb/capture.js';
import { acknowledgeAlert, resolveAlertByHand } from '../alert-actions.js';
import { cardReply, textReply, type ChatopsDeps, type Command } from '../command.js';
import { optionalArg, parseArgs, UsageError } from '../usage.js';
import { draftCard } from './kb.js';

const alertId = z.string().regex(/^[0-9a-f]{12}$/, '告警 ID 是 12 位十六进制字符，如 3f9a0c1b2d4e');
const serviceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, '服务名只能包含字母、数字、点、下划线和连字符');

const bySeverity = (a: StoredAlert, b: StoredAlert) =>
  severities.indexOf(a.severity) - severities.indexOf(b.severity) || b.lastSeenAt.localeCompare(a.lastSeenAt);

function alertLine(stored: StoredAlert, now: number): string {
  const flags = [
    stored.acknowledgedBy ? '已确认' : '',
    stored.silence && Date.parse(stored.silence.until) > now ? '已静默' : '',
  ]
    .filter(Boolean)
    .join('、');
  const what = `**${escapeMarkdown(stored.alert.name)}** · ${escapeMarkdown(stored.alert.service)}`;
  const lasted = formatDuration(now - Date.parse(stored.firstSeenAt));
  const line = `- [${severityLabel[stored.severity]}] ${what} · 已持续 ${lasted} · \`${stored.alertId}\``;
  return flags ? `${line}（${flags}）` : line;
}

/** The timeline's event names (English in the store and logs) as the chat shows them. */
const timelineLabels: Record<string, string> = {
  opened: '触发',
  routed: '路由',
  notified: '已通知',
  paged: '加急',
  page_failed: '加急失败',
  repeated: '重复',
  reminded: '提醒',
  acknowledged: '确认',
  resolved: '恢复',
  resolved_by_hand: '人工解决',
  silenced: '静默',
  muted: '屏蔽',
  self_heal: '自愈',
  stale_firing: '过期的触发通知',
  stale_resolved: '过期的恢复通知',
};

const OPEN_LIMIT = 100;
const SHOWN = 15;

export async function openAlerts(deps: ChatopsDeps, service?: string) {
  return (await deps.repo.list('firing', { limit: OPEN_LIMIT, service })).sort(bySeverity);
}

export const status: Command = {
  name: 'status',
  usage: ['/status [服务名]'],
  summary: '当前未恢复的告警（按级别统计）和最近恢复的告警',
  example: '/status payments',
  async run({ args }, deps) {
    const service = optionalArg(serviceName, args, this.usage[0]!);
    const now = deps.now();
    const open = await openAlerts(deps, service);
    const recent = await deps.repo.list('resolved', { limit: 5, service });
    const counts = severities
      .map((severity) => `${severityLabel[severity]} ${open.filter((a) => a.severity === severity).length}`)
      .join(' · ');
    const lines = [
      `**未恢复**：${open.length}${open.length >= OPEN_LIMIT ? '+' : ''}（${counts}）`,
      ...open.slice(0, SHOWN).map((stored) => alertLine(stored, now)),
      ...(open.length > SHOWN ? [`……另有 ${open.length - SHOWN} 条，用 /alert list 查看`] : []),
      '',
      `**最近恢复**：${recent.length ? '' : '无'}`,
      ...recent.map((stored) => {
        const what = `${escapeMarkdown(stored.alert.name)} · ${escapeMarkdown(stored.alert.service)}`;
        const how = stored.resolvedBy ? '人工解决' : '自动恢复';
        return `- ${what} · ${formatTime(stored.resolvedAt, deps.timeZone)} ${how} · \`${stored.alertId}\``;
      }),
    ];
    const worst: Severity | undefined = open[0]?.severity;
    return cardReply(
      noticeCard(`系统状态${service ? `：${service}` : ''}`, lines, worst ? headerColour[worst] : 'green'),
    );
  },
};

const alertUsage = {
  list: '/alert list',
  show: '/alert show <告警ID>',
  ack: '/alert ack <告警ID>',
  resolve: '/alert resolve <告警ID> [处理说明]',
};

export const alert: Command = {
  name: 'alert',
  usage: Object.values(alertUsage),
  summary: '查看、确认、解决告警',
  example: '/alert ack 3f9a0c1b2d4e',
  async run({ args, actor }, deps) {
    const [sub, ...rest] = args;
    const now = deps.now();
    switch (sub) {
      case 'list': {
        parseArgs(z.tuple([]), rest, alertUsage.list);
        const open = await openAlerts(deps);
        if (!open.length) return textReply('当前没有未恢复的告警 ✅');
        return cardReply(
          noticeCard(
            `未恢复的告警（${open.length}）`,
            open.slice(0, 30).map((stored) => alertLine(stored, now)),
            headerColour[open[0]!.severity],
          ),
        );
      }
      case 'show': {
        const [id] = parseArgs(z.tuple([alertId]), rest, alertUsage.show);
        const stored = await deps.repo.get(id);
        if (!stored) return textReply(`找不到告警 ${id}`);
        const time = (iso?: string) => formatTime(iso, deps.timeZone);
        const state = stored.status === 'firing' ? '触发中' : '已恢复';
        const lines = [
          `**状态**：${state} · ${severityLabel[stored.severity]} · 发生 ${occurrences(stored)} 次`,
          `**服务**：${escapeMarkdown(stored.alert.service)}　**主机**：${escapeMarkdown(stored.alert.host ?? '-')}`,
          `**摘要**：${escapeMarkdown(stored.alert.summary)}`,
          `**首次发生**：${time(stored.firstSeenAt)}　**最近发生**：${time(stored.lastSeenAt)}`,
          '',
          '**时间线**（最近 10 条）：',
          ...stored.timeline.slice(-10).map((entry) => {
            const label = escapeMarkdown(timelineLabels[entry.event] ?? entry.event);
            return `- ${time(entry.at)} ${label}${entry.detail ? `：${escapeMarkdown(entry.detail)}` : ''}`;
          }),
        ];
        return cardReply(
          noticeCard(
            `告警 ${stored.alertId}：${stored.alert.name}`,
            lines,
            headerColour[stored.status === 'resolved' ? 'resolved' : stored.severity],
          ),
        );
      }
      case 'ack': {
        const [id] = parseArgs(z.tuple([alertId]), rest, alertUsage.ack);
        const outcome = await acknowledgeAlert(id, actor, deps);
        if (outcome.changed && outcome.stored) await deps.syncCards(outcome.stored);
        return textReply(outcome.changed ? `已确认告警 ${id}：重复提醒已停止` : outcome.message);
      }
      case 'resolve': {
        const [id, ...note] = parseArgs(z.tuple([alertId]).rest(z.string()), rest, alertUsage.resolve);
        const explanation = note.join(' ') || undefined;
        const outcome = await resolveAlertByHand(id, actor, explanation, deps);
        if (outcome.changed && outcome.stored) await deps.syncCards(outcome.stored);
        if (!outcome.changed || !outcome.stored) return textReply(outcome.message);
        const done = `已解决告警 ${id}。${outcome.message.replace(/^已标记为解决；/, '')}`;
        if (!explanation || !deps.knowledge) return textReply(done);
        // Resolved with a note: what was learned is offered to the knowledge base as a draft.
        const draft = await draftFromIncident(outcome.stored, explanation, deps.model);
        await deps.repo.recordDraft(id, draft);
        const card = draftCard(id, draft) as { body: { elements: object[] } };
        card.body.elements.unshift({ tag: 'markdown', content: escapeMarkdown(done) });
        return { kind: 'card', card };
      }
      default:
        throw new UsageError(sub ? `不认识的子命令 ${sub}` : '缺少子命令', this.usage.join('\n'));
    }
  },
};
