/** The `mentions[]` entries of `im.message.receive_v1`: `key` (`@_user_1`) stands for the person in the text. */
export interface Mention {
  key: string;
  id?: { open_id?: string };
  name?: string;
}

interface PostElement {
  tag?: string;
  text?: string;
  user_id?: string;
}

/** A rich-text (`post`) message: paragraphs of elements, sometimes wrapped in a locale key (`zh_cn`, `en_us`). */
function postText(content: Record<string, unknown>): string | undefined {
  const body = (
    Array.isArray(content.content)
      ? content
      : Object.values(content).find((value) => Array.isArray((value as { content?: unknown })?.content))
  ) as { content: PostElement[][] } | undefined;
  if (!body) return undefined;
  return body.content
    .map((paragraph) =>
      (Array.isArray(paragraph) ? paragraph : [])
        .map((element) =>
          element.tag === 'at'
            ? (element.user_id ?? '')
            : element.tag === 'text' || element.tag === 'a'
              ? (element.text ?? '')
              : '',
        )
        .join(''),
    )
    .join('\n');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The words of a received message as the person meant them: the bot's own mention removed, other people's shown as
 * `@name`. Undefined for messages that carry no text (images, files, stickers) or that cannot be read.
 */
export function messageText(
  content: string,
  messageType: string,
  mentions: Mention[],
  botOpenId: string | undefined,
): string | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(content) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  let text =
    messageType === 'text'
      ? typeof parsed.text === 'string'
        ? parsed.text
        : undefined
      : messageType === 'post'
        ? postText(parsed)
        : undefined;
  if (text === undefined) return undefined;
  // Longest keys first, and never inside a longer key: @_user_1 must not eat the start of @_user_10.
  for (const mention of [...mentions].sort((a, b) => b.key.length - a.key.length)) {
    const isBot = botOpenId !== undefined && mention.id?.open_id === botOpenId;
    text = text.replace(
      new RegExp(`${escapeRegExp(mention.key)}(?![0-9])`, 'g'),
      isBot ? ' ' : `@${mention.name ?? mention.id?.open_id ?? ''}`,
    );
  }
  // Without the bot's id, a mention that opens the message is the usual "@bot /command" form.
  if (botOpenId === undefined) text = text.replace(/^\s*(@_user_\d+\s*)+/, '');
  return text.replace(/[\u3000\u00a0]/g, ' ').trim();
}

const openingQuotes: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

/**
 * Splits on whitespace; quotes group words. A quote opening a word is removed (`"数据库 迁移"` → `数据库 迁移`); a quote
 * inside a word is kept with it, so a matcher such as `service="api gw"` stays one word, quotes and all. An unclosed
 * quote takes the rest of the text.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const closing = openingQuotes[ch];
    if (closing) {
      const end = text.indexOf(closing, i + 1);
      const quoted = end === -1 ? text.slice(i + 1) : text.slice(i + 1, end);
      current += inToken ? `${ch}${quoted}${end === -1 ? '' : closing}` : quoted;
      inToken = true;
      i = end === -1 ? text.length : end;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
      continue;
    }
    current += ch;
    inToken = true;
  }
  if (inToken) tokens.push(current);
  return tokens;
}

export interface CommandLine {
  /** Lower case, without the slash. */
  command: string;
  args: string[];
}

/** Full-width forms of ASCII (U+FF01–U+FF5E, what a Chinese input method types in full-width mode) as ASCII. */
const halfWidth = (text: string) =>
  text.replace(/[\uFF01-\uFF5E]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0));

/** Letters, digits and `. _ -` in either width: a subcommand, an id, a duration, a name. Never Chinese text. */
const PLAIN_WORD = /^[\w.\-０-９Ａ-Ｚａ-ｚ．＿－]+$/;
/** What may be the label name and operator of a matcher, in either width (`ｓｅｒｖｉｃｅ＝`, `team!~`). */
const MATCHER_HEAD = /^([^\s=!~＝！～]+?)([=＝][~～]|[!！][~～]|[!！][=＝]|[=＝])/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A slash and a command's name at the start of a message, in either width; the rest is its arguments. */
const COMMAND_LINE = /^[/／]([A-Za-zＡ-Ｚａ-ｚ][\w\-０-９Ａ-Ｚａ-ｚ＿－]*)(.*)$/s;

/**
 * One argument as the commands read it: a plain word in full-width letters or digits as ASCII, and the label name and
 * operator of a matcher too (its value only when it is a plain word). Anything else is free text, such as a
 * silence's reason or a question, whose full-width punctuation is Chinese and is kept as typed.
 */
function commandWord(token: string): string {
  const head = MATCHER_HEAD.exec(token);
  if (head && LABEL_NAME.test(halfWidth(head[1]!))) {
    const value = token.slice(head[0].length);
    return halfWidth(head[0]) + (PLAIN_WORD.test(value) ? halfWidth(value) : value);
  }
  return PLAIN_WORD.test(token) ? halfWidth(token) : token;
}

/**
 * A command is a slash and a letter at the start, either in full width (`／ｓｉｌｅｎｃｅ`, `/ｋｂ`); anything else is a
 * question in plain text. Full-width forms are read as ASCII here, once, and only where they are command syntax
 * (`commandWord`).
 */
export function parseCommandLine(text: string): CommandLine | undefined {
  const match = COMMAND_LINE.exec(text.trim());
  if (!match) return undefined;
  return { command: halfWidth(match[1]!).toLowerCase(), args: tokenize(match[2]!).map(commandWord) };
}

/** Optimal string alignment distance: Levenshtein plus adjacent swaps, the usual typo (`stauts`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The command someone probably meant: a close spelling, or the only command the word begins. */
export function closestCommand(word: string, commands: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const prefixed = commands.filter((command) => command.startsWith(typed));
  if (typed.length >= 2 && prefixed.length === 1) return prefixed[0];
  const allowed = Math.max(1, Math.floor(typed.length / 3)) + (typed.length >= 5 ? 1 : 0);
  let best: { command: string; distance: number } | undefined;
  for (const command of commands) {
    const distance = editDistance(typed, command);
    if (distance <= allowed && (!best || distance < best.distance)) best = { command, distance };
  }
  return best?.command;
}
