import { button, buttonRow, clip, escapeMarkdown, formatTime, markdown, mention, safeUrl } from '../feishu/cards.js';
import type { Severity } from './model.js';
import { occurrences, type StoredAlert } from './repository.js';

/** Feishu accepts only its own colour names in `header.template`; severity words are not among them. */
export const headerColour: Record<Severity | 'resolved', string> = {
  critical: 'red',
  warning: 'orange',
  info: 'blue',
  resolved: 'green',
};

export const severityLabel: Record<Severity, string> = { critical: '严重', warning: '警告', info: '提示' };

/** The runbook section, by title and, where it differs, its section. */
function relatedLine(related: NonNullable<StoredAlert['related']>): string {
  const title = escapeMarkdown(clip(related.title, 100));
  return related.section === related.title ? title : `${title} · ${escapeMarkdown(clip(related.section, 100))}`;
}

/**
 * The alert card (JSON 2.0). One builder for every state, so the card patched on resolve has the same layout as
 * the one sent: only colour, title, status and buttons change. Kept far below Feishu's 30 KB by clipping free text.
 */
export function alertCard(stored: StoredAlert, options: { timeZone: string; now?: string }): object {
  const { alert } = stored;
  const resolved = stored.status === 'resolved';
  const silenced =
    !resolved &&
    stored.silence &&
    Date.parse(stored.silence.until) > Date.parse(options.now ?? new Date().toISOString());
  const state = resolved
    ? stored.resolvedBy
      ? '[已解决]'
      : '[已恢复]'
    : `[${severityLabel[stored.severity]}${stored.acknowledgedBy ? '·已确认' : ''}${silenced ? '·已静默' : ''}]`;
  const title = `${state} ${clip(alert.name, 100)}`;
  const lines = [
    `**服务**：${escapeMarkdown(clip(alert.service, 100))}`,
    `**主机**：${escapeMarkdown(clip(alert.host ?? '-', 100))}`,
    `**摘要**：${escapeMarkdown(clip(alert.summary, 500))}`,
    ...(alert.description && alert.description !== alert.summary
      ? [`**详情**：${escapeMarkdown(clip(alert.description, 1500))}`]
      : []),
    `**首次发生**：${formatTime(stored.firstSeenAt, options.timeZone)}`,
    `**最近发生**：${formatTime(stored.lastSeenAt, options.timeZone)}`,
    `**发生次数**：${occurrences(stored)}`,
    ...(stored.plan.onCall ? [`**值班人**：${escapeMarkdown(stored.plan.onCall.name)}`] : []),
    ...(stored.acknowledgedBy
      ? [`**确认人**：${mention(stored.acknowledgedBy)}（${formatTime(stored.acknowledgedAt, options.timeZone)}）`]
      : []),
    ...(silenced
      ? [`**静默**：至 ${formatTime(stored.silence!.until, options.timeZone)}（${mention(stored.silence!.by)}）`]
      : []),
    ...(resolved
      ? [`**${stored.resolvedBy ? '解决' : '恢复'}时间**：${formatTime(stored.resolvedAt, options.timeZone)}`]
      : []),
    ...(stored.resolvedBy ? [`**解决人**：${mention(stored.resolvedBy)}`] : []),
    ...(stored.resolutionNote ? [`**处理说明**：${escapeMarkdown(clip(stored.resolutionNote, 1000))}`] : []),
    ...(stored.related ? [`**相关知识**：${relatedLine(stored.related)}`] : []),
  ];
  // Links are buttons, never markdown: a URL from a payload cannot then inject markup or mentions into the card.
  const buttons: object[] = [];
  const detailUrl = safeUrl(alert.generatorURL);
  if (detailUrl) buttons.push(button('查看详情', 'default', { type: 'open_url', default_url: detailUrl }));
  const runbook = safeUrl(alert.runbookURL) ?? safeUrl(stored.related?.source);
  if (runbook) buttons.push(button('处理手册', 'default', { type: 'open_url', default_url: runbook }));
  if (!resolved) {
    const value = (action: string) => ({ type: 'callback', value: { action, alertId: stored.alertId } });
    if (!stored.acknowledgedBy) buttons.push(button('确认', 'primary', value('ack')));
    buttons.push(button('解决', 'default', value('resolve')));
    if (!silenced) buttons.push(button('静默 1 小时', 'danger', value('silence')));
  }

  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: {
      title: { tag: 'plain_text', content: title },
      subtitle: { tag: 'plain_text', content: `${alert.source} · ${stored.alertId}` },
      template: headerColour[resolved ? 'resolved' : stored.severity],
    },
    body: { elements: [markdown(lines.join('\n')), ...(buttons.length ? [buttonRow(buttons)] : [])] },
  };
}
