import type { OutboxEntry } from './feishu-standin.js';

/**
 * The outbox as people read it. Feishu's message APIs carry a message's content as a JSON string (a card is JSON
 * inside JSON), which is exact but hard to read: `GET /_local/outbox?format=decoded` parses it, and `?format=text`
 * shows each call in a few lines, a card as its header, text and buttons. The card a message shows now, and its
 * buttons, are what `POST /_local/card` clicks.
 */

export interface CardButton {
  label: string;
  /** The callback value a click sends to the webhook. */
  value?: object;
  /** Where a link button goes. */
  url?: string;
}

interface MessageBody {
  msg_type?: string;
  content?: string;
  receive_id?: string;
  user_id_list?: string[];
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** An entry with its message content parsed, when it carries one. */
const decoded = (entry: OutboxEntry): OutboxEntry => {
  const body = entry.body as MessageBody | undefined;
  if (typeof body?.content !== 'string') return entry;
  return { ...entry, body: { ...body, content: parse(body.content) } };
};

/** Every object in a card, depth first: its elements, columns and buttons wherever they are nested. */
function* nodes(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) yield* nodes(item);
  else if (value && typeof value === 'object') {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* nodes(child);
  }
}

export function cardButtons(card: unknown): CardButton[] {
  return [...nodes(card)]
    .filter((node) => node.tag === 'button')
    .map((node) => {
      const label = String((node.text as { content?: unknown } | undefined)?.content ?? '');
      const behaviour = ((node.behaviors as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
      if (behaviour.type === 'open_url') return { label, url: String(behaviour.default_url) };
      return { label, value: (behaviour.value ?? node.value) as object | undefined };
    });
}

const messagePath = (messageId: string) => `/open-apis/im/v1/messages/${messageId}`;
const succeeded = (entry: OutboxEntry) => (entry.status ?? 200) < 300;

/** The card a message shows now: as sent, or as last patched; and the chat it was sent to, when it went to one. */
export function currentCard(outbox: OutboxEntry[], messageId: string): { card: object; chatId?: string } | undefined {
  const sent = outbox.find((entry) => entry.messageId === messageId && succeeded(entry));
  if (!sent) return undefined;
  const patched = outbox.filter((entry) => entry.method === 'PATCH' && entry.path === messagePath(messageId));
  const latest = [sent, ...patched.filter(succeeded)].at(-1)!;
  const card = parse((latest.body as MessageBody).content ?? '');
  if (!card || typeof card !== 'object') return undefined;
  const toChat = sent.path.includes('receive_id_type=chat_id');
  return { card, ...(toChat ? { chatId: (sent.body as MessageBody).receive_id } : {}) };
}

/** Card markdown as text: no bold, mentions as @open_id, entities (what senders escaped) decoded last. */
const plainText = (text: string) =>
  text
    .replace(/\*\*/g, '')
    .replace(/<at (?:id|user_id)="?([^">\s]+)"?><\/at>/g, '@$1')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

function cardLines(card: Record<string, any>): string[] {
  const header = card.header as
    { template?: string; title?: { content?: string }; subtitle?: { content?: string } } | undefined;
  const title = [header?.title?.content, header?.subtitle?.content].filter(Boolean).join(' · ');
  const lines = [`card [${header?.template ?? 'default'}] ${title}`.trimEnd()];
  for (const node of nodes(card.body ?? card.elements)) {
    if (node.tag === 'markdown') lines.push(...plainText(String(node.content)).split('\n'));
    if (node.tag === 'div') lines.push(...String((node.text as { content?: string })?.content ?? '').split('\n'));
  }
  for (const button of cardButtons(card))
    lines.push(`[${button.label}] ${button.url ? `→ ${button.url}` : JSON.stringify(button.value ?? {})}`);
  return lines;
}

/** One call in a few lines: what, where, the answer, the message it made, and what it said. */
function callText(entry: OutboxEntry, index: number): string {
  const at = entry.at.slice(11, 23);
  const answer = `${entry.status ?? '…'}${entry.code ? ` code ${entry.code}` : ''}`;
  const made = entry.messageId ? ` ${entry.messageId}` : '';
  const body = decoded(entry).body as (MessageBody & { content?: unknown }) | undefined;
  const lines: string[] = [];
  if (body?.receive_id) lines.push(`to ${body.receive_id}`);
  if (body?.user_id_list) lines.push(`users ${body.user_id_list.join(', ')}`);
  if (body?.msg_type === 'text') lines.push(plainText(String((body.content as { text?: string })?.text ?? '')));
  else if (body?.content && typeof body.content === 'object') lines.push(...cardLines(body.content));
  const detail = lines.flatMap((line) => line.split('\n')).map((line) => `    ${line}`);
  return [`#${index + 1} ${at} ${entry.method} ${entry.path} → ${answer}${made}`, ...detail].join('\n');
}

/**
 * `GET /_local/outbox`: the calls as they arrived (JSON); `format=decoded`, with message content parsed; `format=text`,
 * a few lines per call. `last=N` keeps the newest N; the token requests, which say nothing, are left out of the text.
 */
export function outboxView(
  outbox: OutboxEntry[],
  query: URLSearchParams,
): { status: number; contentType: string; body: string } {
  const json = 'application/json; charset=utf-8';
  const last = Number(query.get('last') ?? outbox.length);
  if (!Number.isInteger(last) || last < 0)
    return { status: 400, contentType: json, body: JSON.stringify({ error: 'last must be a whole number' }) };
  const indexed = outbox.map((entry, index) => ({ entry, index })).slice(outbox.length - Math.min(last, outbox.length));
  const format = query.get('format') ?? 'raw';
  if (format === 'raw') return { status: 200, contentType: json, body: JSON.stringify(indexed.map((i) => i.entry)) };
  if (format === 'decoded')
    return {
      status: 200,
      contentType: json,
      body: JSON.stringify(
        indexed.map((i) => decoded(i.entry)),
        null,
        2,
      ),
    };
  if (format === 'text') {
    const calls = indexed.filter(({ entry }) => !entry.path.startsWith('/open-apis/auth/'));
    return {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: calls.map(({ entry, index }) => `${callText(entry, index)}\n`).join(''),
    };
  }
  return {
    status: 400,
    contentType: json,
    body: JSON.stringify({ error: `unknown format ${format}: use format=text or format=decoded` }),
  };
}
