import { headerColour, severityLabel } from '../alerts/card.js';
import {
  button,
  buttonRow,
  clip,
  escapeMarkdown,
  formatDuration,
  formatTime,
  markdown,
  mention,
  safeUrl,
} from '../feishu/cards.js';
import type { DetailLinker } from './detail-link.js';
import { isFlapping } from './flapping.js';
import {
  describeSuggestion,
  distinguishingLabels,
  incidentSeverity,
  newestMembers,
  suggestionOf,
  type StoredIncident,
} from './model.js';

/** How incident cards are drawn wherever they are sent from: the display time zone, and the signer of 查看详情 links. */
export interface CardOptions {
  timeZone: string;
  /** Unset when detail links are not configured: 查看详情 then opens the alert's source page. */
  detailLink?: DetailLinker;
}

/** The card options out of a larger set of dependencies. */
export const cardOptions = ({ timeZone, detailLink }: CardOptions): CardOptions => ({ timeZone, detailLink });

/** Members listed on the card, newest first. */
const LISTED_MEMBERS = 10;

const stateMark = (incident: StoredIncident, silenced: boolean, now: string) => {
  const flapping = isFlapping(incident, now) ? '·抖动中' : '';
  if (incident.state === 'resolved') return incident.resolvedBy ? '[已解决]' : `[已恢复${flapping}]`;
  const marks = [
    severityLabel[incidentSeverity(incident)],
    flapping && '抖动中',
    incident.state === 'acknowledged' ? '已确认' : '',
    silenced ? '已静默' : '',
  ];
  return `[${marks.filter(Boolean).join('·')}]`;
};

/** Who was paged and how, from the timeline: `电话加急：李娜`. */
const pagedLines = (incident: StoredIncident) =>
  incident.timeline.filter((entry) => entry.event === 'paged' && entry.detail).map((entry) => entry.detail!);

/** The last level it escalated to, as the timeline put it: `已升级到 L2（李娜）`. */
const escalatedTo = (incident: StoredIncident) =>
  incident.timeline.findLast((entry) => entry.event === 'escalated' && entry.detail)?.detail;

/** Feishu's link that opens a chat the person is in (applink), from a card on phone and desktop alike. */
const chatLink = (chatId: string) =>
  `https://applink.feishu.cn/client/chat/open?openChatId=${encodeURIComponent(chatId)}`;

/** The runbook section that matches it (which one, and its first lines), and the action offered, and by whom. */
function knowledgeLines(incident: StoredIncident): string[] {
  const related = incident.related;
  const which =
    related &&
    (related.section && related.section !== related.title ? `${related.title} · ${related.section}` : related.title);
  const suggested = suggestionOf(incident);
  const from =
    suggested?.by === 'model'
      ? `模型建议${suggested.reason ? `：${clip(suggested.reason, 100)}` : ''}`
      : '处理手册建议';
  return [
    ...(related ? [`**相关知识**：${escapeMarkdown(clip(which!, 120))}`] : []),
    ...(related?.excerpt ? [`　${escapeMarkdown(clip(related.excerpt, 300))}`] : []),
    ...(suggested
      ? [
          `**建议操作**：${escapeMarkdown(clip(describeSuggestion(suggested), 200))}（${escapeMarkdown(from)}，按权限执行）`,
        ]
      : []),
  ];
}

/** Where the incident is being worked on: its war room, or why it has none though one was due. */
function warRoomLines(incident: StoredIncident): string[] {
  const room = incident.warRoom;
  if (room?.chatId) return [`**作战室**：${escapeMarkdown(room.name)}`];
  if (room?.failed) return [`**作战室**：创建失败，请在本群处理（${escapeMarkdown(clip(room.failed.reason, 150))}）`];
  return [];
}

function memberLines(incident: StoredIncident): string[] {
  const members = newestMembers(incident, LISTED_MEMBERS);
  const shown = distinguishingLabels(Object.values(incident.members)).slice(0, 3);
  return members.map((member) => {
    const labels = shown
      .filter((key) => member.labels[key] !== undefined)
      .map((key) => `${key}=${member.labels[key]}`)
      .join(', ');
    const state = member.status === 'resolved' ? '（已恢复）' : '';
    const mark = member.status === 'resolved' ? '🟢' : member.severity === 'critical' ? '🔴' : '🟠';
    const text = `${member.name}${labels ? ` · ${labels}` : ''} · ${member.summary}`;
    return `${mark} ${escapeMarkdown(clip(text, 300))}${state}`;
  });
}

/**
 * The incident's card (JSON 2.0), one per target, patched in place as members come and go: the worst firing
 * severity, how many fire and how many have resolved, how long it has lasted, who was paged, the newest members with
 * the labels that tell them apart, and buttons that act on the whole incident. Free text is clipped, so the card stays
 * far below Feishu's 30 KB whatever the members say.
 */
export function incidentCard(incident: StoredIncident, options: CardOptions & { now: string }): object {
  const resolved = incident.state === 'resolved';
  const silenced = !resolved && Boolean(incident.silence && incident.silence.until > options.now);
  const time = (iso?: string) => formatTime(iso, options.timeZone);
  const title = `${stateMark(incident, silenced, options.now)} ${clip(incident.title, 100)}`;
  const lasted = formatDuration(Date.parse(incident.resolvedAt ?? options.now) - Date.parse(incident.openedAt));
  const paged = pagedLines(incident);
  const escalated = escalatedTo(incident);
  const lines = [
    `**服务**：${escapeMarkdown(clip(incident.service, 100))}`,
    `**告警**：${incident.firing} 条触发中，${incident.resolved} 条已恢复`,
    `**开始**：${time(incident.openedAt)}　**持续**：${lasted}`,
    ...(incident.plan.onCall ? [`**值班人**：${escapeMarkdown(incident.plan.onCall.name)}`] : []),
    ...(incident.commander ? [`**指挥官**：${mention(incident.commander)}`] : []),
    ...warRoomLines(incident),
    ...(paged.length ? [`**已加急**：${escapeMarkdown(clip(paged.join('、'), 300))}`] : []),
    ...(escalated && !resolved ? [`**升级**：${escapeMarkdown(escalated)}`] : []),
    ...(incident.flaps
      ? [
          `**抖动**：恢复后再次触发 ${incident.flaps} 次${isFlapping(incident, options.now) ? '（抖动中，不再重复加急）' : ''}`,
        ]
      : []),
    ...(incident.acknowledgedBy
      ? [`**确认人**：${mention(incident.acknowledgedBy)}（${time(incident.acknowledgedAt)}）`]
      : []),
    ...(silenced ? [`**静默**：至 ${time(incident.silence!.until)}（${mention(incident.silence!.by)}）`] : []),
    ...(resolved ? [`**${incident.resolvedBy ? '解决' : '恢复'}时间**：${time(incident.resolvedAt)}`] : []),
    ...(incident.resolvedBy ? [`**解决人**：${mention(incident.resolvedBy)}`] : []),
    ...(incident.resolutionNote ? [`**处理说明**：${escapeMarkdown(clip(incident.resolutionNote, 1000))}`] : []),
    ...knowledgeLines(incident),
    '',
    `**最新告警**（共 ${incident.firing + incident.resolved} 条）：`,
    ...memberLines(incident),
  ];
  // Links are buttons, never markdown: a URL from a payload cannot then inject markup or mentions into the card.
  const buttons: object[] = [];
  const source = safeUrl(incident.links?.detail);
  const detail = options.detailLink?.('incidents', incident.incidentId) ?? source;
  if (detail) buttons.push(button('查看详情', 'default', { type: 'open_url', default_url: detail }));
  if (source && detail !== source)
    buttons.push(button('告警来源', 'default', { type: 'open_url', default_url: source }));
  const runbook = safeUrl(incident.links?.runbook) ?? safeUrl(incident.related?.source);
  if (runbook) buttons.push(button('处理手册', 'default', { type: 'open_url', default_url: runbook }));
  // The whole section, and the others like it, are on the detail page.
  else if (incident.related && detail && detail !== source)
    buttons.push(button('相关知识', 'default', { type: 'open_url', default_url: `${detail}#knowledge` }));
  const room = incident.warRoom?.chatId;
  if (room && !resolved)
    buttons.push(button('进入作战室', 'primary', { type: 'open_url', default_url: chatLink(room) }));
  if (!resolved) {
    const value = (action: string) => ({ type: 'callback', value: { action, incidentId: incident.incidentId } });
    if (incident.state === 'triggered') buttons.push(button('确认', 'primary', value('ack')));
    buttons.push(button('解决', 'default', value('resolve')));
    if (!silenced) buttons.push(button('静默 1 小时', 'danger', value('silence')));
    if (suggestionOf(incident)) buttons.push(button('执行建议操作', 'primary', value('run_suggested')));
    if (incident.diagnoseHost)
      buttons.push(button(`诊断 ${clip(incident.diagnoseHost, 30)}`, 'default', value('diagnose')));
  }
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: {
      title: { tag: 'plain_text', content: title },
      subtitle: { tag: 'plain_text', content: `事件 ${incident.incidentId}` },
      template: headerColour[resolved ? 'resolved' : incidentSeverity(incident)],
    },
    body: { elements: [markdown(lines.join('\n')), ...(buttons.length ? [buttonRow(buttons)] : [])] },
  };
}
