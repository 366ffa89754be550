import type { Severity } from '../alerts/model.js';
import { occurrences, type StoredAlert } from '../alerts/store.js';

/** Feishu accepts only its own colour names in `header.template`; severity words are not among them. */
export const headerColour: Record<Severity | 'resolved', string> = {
  critical: 'red',
  warning: 'orange',
  info: 'blue',
  resolved: 'green',
};

export const severityLabel: Record<Severity, string> = { critical: '严重', warning: '警告', info: '提示' };

/** Card-markdown special characters in user-supplied text, as HTML entities, so an alert cannot inject markup or @mentions. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[&<>*_~`[\]()#]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '-';
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

const markdown = (content: string) => ({ tag: 'markdown', content });

function button(text: string, type: 'primary' | 'danger' | 'default', behaviour: object) {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [behaviour] };
}

const buttonRow = (buttons: object[]) => ({
  tag: 'column_set',
  flex_mode: 'flow',
  horizontal_spacing: '8px',
  columns: buttons.map((element) => ({ tag: 'column', width: 'auto', elements: [element] })),
});

/** Link targets must be http(s) and of sane length; anything else in a source payload is dropped rather than shown. */
const safeUrl = (url: string | undefined) => (url && url.length <= 2000 && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined);

/**
 * The alert card (JSON 2.0). One builder for every state, so the card patched on resolve has the same layout as
 * the one sent: only colour, title, status and buttons change. Kept far below Feishu's 30 KB by clipping free text.
 */
export function alertCard(stored: StoredAlert, options: { timeZone: string }): object {
  const { alert } = stored;
  const resolved = stored.status === 'resolved';
  const title = `${resolved ? '[已恢复]' : `[${severityLabel[stored.severity]}]`} ${clip(alert.name, 100)}`;
  const lines = [
    `**服务**：${escapeMarkdown(clip(alert.service, 100))}`,
    `**主机**：${escapeMarkdown(clip(alert.host ?? '-', 100))}`,
    `**摘要**：${escapeMarkdown(clip(alert.summary, 500))}`,
    ...(alert.description && alert.description !== alert.summary ? [`**详情**：${escapeMarkdown(clip(alert.description, 1500))}`] : []),
    `**首次发生**：${formatTime(stored.firstSeenAt, options.timeZone)}`,
    `**最近发生**：${formatTime(stored.lastSeenAt, options.timeZone)}`,
    `**发生次数**：${occurrences(stored)}`,
    ...(stored.plan.onCall ? [`**值班人**：${escapeMarkdown(stored.plan.onCall.name)}`] : []),
    ...(resolved ? [`**恢复时间**：${formatTime(stored.resolvedAt, options.timeZone)}`] : []),
  ];
  // Links are buttons, never markdown: a URL from a payload cannot then inject markup or mentions into the card.
  const buttons: object[] = [];
  const detailUrl = safeUrl(alert.generatorURL);
  if (detailUrl) buttons.push(button('查看详情', 'default', { type: 'open_url', default_url: detailUrl }));
  const runbook = safeUrl(alert.runbookURL);
  if (runbook) buttons.push(button('处理手册', 'default', { type: 'open_url', default_url: runbook }));
  if (!resolved) {
    const value = (action: string) => ({ type: 'callback', value: { action, alertId: stored.alertId } });
    buttons.push(button('确认', 'primary', value('ack')), button('解决', 'default', value('resolve')), button('静默 1 小时', 'danger', value('silence')));
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
