import * as z from 'zod';
import { headerColour, severityLabel } from '../../alerts/card.js';
import { occurrences, type StoredAlert } from '../../alerts/repository.js';
import { severities } from '../../alerts/severity.js';
import { groupBy } from '../../lambda/group-by.js';
import { clip, escapeMarkdown, formatDuration, formatTime, noticeCard } from '../../feishu/cards.js';
import { distinguishingLabels, incidentSeverity } from '../../incidents/model.js';
import { rosterNames, timelineLines } from '../../incidents/timeline.js';
import { cardReply, textReply, type ChatopsDeps, type Command } from '../command.js';
import { optionalArg, parseArgs, UsageError } from '../usage.js';
import { acknowledgeFromChat, incidentLine, openIncidents, resolveFromChat } from './incidents.js';

const alertId = z.string().regex(/^[0-9a-f]{12}$/, '告警 ID 是 12 位十六进制字符，如 3f9a0c1b2d4e');
const serviceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, '服务名只能包含字母、数字、点、下划线和连字符');

const bySeverity = (a: StoredAlert, b: StoredAlert) =>
  severities.indexOf(a.severity) - severities.indexOf(b.severity) || b.lastSeenAt.localeCompare(a.lastSeenAt);

/** Labels every row shows anyway (the name, severity and service), or on its own (the host). */
const SHOWN_ON_ROW = new Set(['alertname', 'severity', 'service', 'host']);
const rowLabels = (stored: StoredAlert) =>
  Object.fromEntries(Object.entries(stored.alert.labels).filter(([key]) => !SHOWN_ON_ROW.has(key)));

/**
 * Per alert, the labels on which it differs from the other open alerts of its name and service (an instance, a
 * device), so that rows which would otherwise read the same can be told apart.
 */
function labelsApart(alerts: StoredAlert[]): Map<string, string[]> {
  const apart = new Map<string, string[]>();
  for (const group of groupBy(alerts, (stored) => `${stored.alert.name}\u0000${stored.alert.service}`)) {
    const keys = group.length > 1 ? distinguishingLabels(group.map((stored) => ({ labels: rowLabels(stored) }))) : [];
    for (const stored of group) apart.set(stored.alertId, keys.slice(0, 3));
  }
  return apart;
}

function alertLine(stored: StoredAlert, now: number, apart: string[]): string {
  const labels = rowLabels(stored);
  const where = [
    ...(stored.alert.host ? [`主机 ${stored.alert.host}`] : []),
    ...apart.filter((key) => labels[key] !== undefined).map((key) => `${key}=${labels[key]}`),
  ].map((text) => escapeMarkdown(clip(text, 60)));
  const what = [`**${escapeMarkdown(stored.alert.name)}**`, escapeMarkdown(stored.alert.service), ...where].join(' · ');
  const lasted = formatDuration(now - Date.parse(stored.firstSeenAt));
  const incident = stored.incidentId ? ` · 事件 \`${stored.incidentId}\`` : '';
  const summary = escapeMarkdown(clip(stored.alert.summary, 60));
  return `- [${severityLabel[stored.severity]}] ${what} · ${summary} · 已持续 ${lasted} · \`${stored.alertId}\`${incident}`;
}

const OPEN_LIMIT = 100;

export async function openAlerts(deps: ChatopsDeps, service?: string) {
  return (await deps.repo.listFiring({ limit: OPEN_LIMIT, service })).sort(bySeverity);
}

const SHOWN_INCIDENTS = 10;

export const status: Command = {
  name: 'status',
  usage: ['/status [服务名]'],
  summary: '进行中的事件（按级别统计）、未恢复的告警和最近恢复的事件',
  example: '/status payments',
  async run({ args }, deps) {
    const service = optionalArg(serviceName, args, this.usage[0]!);
    const now = deps.now();
    const [incidents, open, recent] = await Promise.all([
      openIncidents(deps, service),
      openAlerts(deps, service),
      deps.incidents.list('resolved', { limit: 5, service }),
    ]);
    const count = <T>(items: T[], severityOf: (item: T) => string) =>
      severities.map(
        (severity) => `${severityLabel[severity]} ${items.filter((i) => severityOf(i) === severity).length}`,
      );
    const lines = [
      `**进行中的事件**：${incidents.length}（${count(incidents, incidentSeverity).join(' · ')}）`,
      ...incidents.slice(0, SHOWN_INCIDENTS).map((incident) => incidentLine(incident, now)),
      ...(incidents.length > SHOWN_INCIDENTS
        ? [`……另有 ${incidents.length - SHOWN_INCIDENTS} 个，用 /incident list 查看`]
        : []),
      '',
      `**未恢复的告警**：${open.length}${open.length >= OPEN_LIMIT ? '+' : ''}` +
        `（${count(open, (a) => a.severity).join(' · ')}），用 /alert list 查看`,
      '',
      `**最近恢复的事件**：${recent.length ? '' : '无'}`,
      ...recent.map((incident) => {
        const what = `${escapeMarkdown(incident.title)} · ${escapeMarkdown(incident.service)}`;
        const how = incident.resolvedBy ? '人工解决' : '自动恢复';
        return `- ${what} · ${formatTime(incident.resolvedAt, deps.timeZone)} ${how} · \`${incident.incidentId}\``;
      }),
    ];
    const worst = incidents[0] ? incidentSeverity(incidents[0]) : open[0]?.severity;
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
  summary: '查看告警；确认、解决告警所在的事件',
  example: '/alert ack 3f9a0c1b2d4e',
  async run({ args, actor, messageId }, deps) {
    const asked = { by: actor, requestId: messageId };
    const [sub, ...rest] = args;
    const now = deps.now();
    switch (sub) {
      case 'list': {
        parseArgs(z.tuple([]), rest, alertUsage.list);
        const open = await openAlerts(deps);
        if (!open.length) return textReply('当前没有未恢复的告警 ✅');
        const shown = open.slice(0, 30);
        const apart = labelsApart(shown);
        return cardReply(
          noticeCard(
            `未恢复的告警（${open.length}）`,
            shown.map((stored) => alertLine(stored, now, apart.get(stored.alertId)!)),
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
          ...(stored.incidentId ? [`**事件**：\`${stored.incidentId}\`（/incident show ${stored.incidentId}）`] : []),
          '',
          '**时间线**（最近 10 条）：',
          ...timelineLines(stored.timeline, {
            timeZone: deps.timeZone,
            names: rosterNames(deps.config.teams.values()),
            last: 10,
          }),
        ];
        return cardReply(
          noticeCard(
            `告警 ${stored.alertId}：${stored.alert.name}`,
            lines,
            headerColour[stored.status === 'resolved' ? 'resolved' : stored.severity],
            // The alert's link leads to its incident's page.
            [{ text: '查看事件详情', url: stored.incidentId && deps.detailLink?.('alerts', stored.alertId) }],
          ),
        );
      }
      case 'ack': {
        const [id] = parseArgs(z.tuple([alertId]), rest, alertUsage.ack);
        const incidentId = (await deps.repo.get(id))?.incidentId;
        return incidentId ? acknowledgeFromChat(incidentId, asked, deps) : textReply(`找不到告警 ${id} 的事件`);
      }
      case 'resolve': {
        const [id, ...note] = parseArgs(z.tuple([alertId]).rest(z.string()), rest, alertUsage.resolve);
        const incidentId = (await deps.repo.get(id))?.incidentId;
        if (!incidentId) return textReply(`找不到告警 ${id} 的事件`);
        return resolveFromChat(incidentId, asked, note.join(' ') || undefined, deps);
      }
      default:
        throw new UsageError(sub ? `不认识的子命令 ${sub}` : '缺少子命令', this.usage.join('\n'));
    }
  },
};
