/*
 * Card primitives (JSON 2.0): escaping, times, mentions, links, buttons and the notice card. The cards about alerts
 * and automation are built from these beside their domains (lib/alerts/card.ts, lib/automation/cards.ts).
 */

/**
 * Card-markdown special characters in user-supplied text, as HTML entities, so an alert cannot inject markup or
 * @mentions.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[&<>*_~`[\]()#]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** An action's arguments as people read them on cards and timelines: `host=web-01 unit=nginx`. */
export const describeArgs = (args: Record<string, unknown>) =>
  Object.entries(args)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');

/** Free text cut to `max` characters, with an ellipsis: cards stay far below Feishu's 30 KB. */
export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '-';
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('zh-CN', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

/** How long something has lasted, as people say it: 12 分钟, 3 小时 5 分钟, 4 天. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} 小时${minutes % 60 ? ` ${minutes % 60} 分钟` : ''}`;
  return `${Math.floor(hours / 24)} 天`;
}

/**
 * A person in card markdown: Feishu renders `<at id=ou_…>` as their name, which the webhook cannot look up itself.
 * Only a well-formed open_id is rendered as a mention; anything else is shown as escaped text.
 */
export function mention(actor: { openId: string; name?: string }): string {
  if (/^ou_[A-Za-z0-9_-]+$/.test(actor.openId)) return `<at id=${actor.openId}></at>`;
  return escapeMarkdown(actor.name ?? actor.openId);
}

/** Link targets must be http(s) and of sane length; anything else in a payload is dropped rather than shown. */
export const safeUrl = (url: string | undefined) =>
  url && url.length <= 2000 && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;

export const markdown = (content: string) => ({ tag: 'markdown', content });

export function button(text: string, type: 'primary' | 'danger' | 'default', behaviour: object) {
  return { tag: 'button', text: { tag: 'plain_text', content: text }, type, behaviors: [behaviour] };
}

export const buttonRow = (buttons: object[]) => ({
  tag: 'column_set',
  flex_mode: 'flow',
  horizontal_spacing: '8px',
  columns: buttons.map((element) => ({ tag: 'column', width: 'auto', elements: [element] })),
});

/** A card for chat answers (status, lists, help): a title, markdown lines, a colour, and links as buttons. */
export function noticeCard(
  title: string,
  lines: string[],
  template: string = 'blue',
  links: { text: string; url: string | undefined }[] = [],
): object {
  const buttons = links.flatMap(({ text, url }) =>
    safeUrl(url) ? [button(text, 'primary', { type: 'open_url', default_url: url })] : [],
  );
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: { title: { tag: 'plain_text', content: title }, template },
    body: { elements: [markdown(lines.join('\n')), ...(buttons.length ? [buttonRow(buttons)] : [])] },
  };
}
