import { parseDurationSeconds } from '../lambda/duration.js';
import { MatcherSyntaxError, parseMatcher, type LabelMatcher } from './matchers.js';
import { matchLabels, type Alert } from './model.js';
import type { Actor } from './repository.js';

/** A silence: alerts whose labels match every matcher are stored and counted but not sent, from startsAt to endsAt. */
export interface Silence {
  id: string;
  /** Matcher source text with Alertmanager's operators, e.g. `service="api"`, `env=~"prod|staging"`. */
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: Actor;
  reason: string;
  createdAt: string;
  expiredBy?: Actor;
}

/** Where silences are kept; the DynamoDB adapter lives in lib/store. */
export interface SilenceStore {
  /** Stores a silence; the same id again is a retried request and changes nothing. */
  create(silence: Silence): Promise<void>;
  /** Every stored silence, active or not. */
  list(): Promise<Silence[]>;
  /** Ends an active (or future) silence now; undefined if unknown or already ended. */
  expire(id: string, by: Actor, at: string): Promise<Silence | undefined>;
}

const parsed = new Map<string, LabelMatcher>();
const matcherOf = (text: string) => {
  let matcher = parsed.get(text);
  if (!matcher) parsed.set(text, (matcher = parseMatcher(text)));
  return matcher;
};

export const isActive = (silence: Silence, now: number) =>
  Date.parse(silence.startsAt) <= now && now < Date.parse(silence.endsAt);

/**
 * The first active silence matching the alert. A silence without matchers matches nothing (it would silence every
 * alert); one whose stored matcher no longer parses is skipped rather than muting or failing the whole batch.
 */
export function silencedBy(alert: Alert, silences: Silence[], now: number): Silence | undefined {
  const labels = matchLabels(alert);
  return silences.find((silence) => {
    if (!silence.matchers.length || !isActive(silence, now)) return false;
    try {
      return silence.matchers.every((text) => matcherOf(text).test(labels));
    } catch {
      return false;
    }
  });
}

export const describeSilence = (silence: Silence) => silence.matchers.join(', ');

/** A problem with `/silence` arguments, said in the words the reply uses. */
export class SilenceArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SilenceArgsError';
  }
}

const MIN_SILENCE_MS = 60_000;
const MAX_SILENCE_MS = 7 * 24 * 3600_000;
/** Bounds on what one silence may say: every alert of every batch is checked against every active silence. */
export const MAX_SILENCE_MATCHERS = 10;
export const MAX_MATCHER_CHARS = 256;
const looksLikeMatcher = (word: string) => /^[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)/.test(word);

/**
 * `/silence <matcher…> <duration> [reason…]`: at least one matcher, one duration of 1 min to 7 days, then the reason.
 */
export function parseSilenceArgs(args: string[]): { matchers: string[]; durationMs: number; reason: string } {
  const matchers: string[] = [];
  let index = 0;
  for (; index < args.length && looksLikeMatcher(args[index]!); index++) {
    const text = args[index]!;
    if (text.length > MAX_MATCHER_CHARS)
      throw new SilenceArgsError(`匹配条件过长（最多 ${MAX_MATCHER_CHARS} 个字符）：${text.slice(0, 40)}…`);
    try {
      parseMatcher(text);
    } catch (error) {
      const why =
        error instanceof MatcherSyntaxError ? '正则表达式不符合 RE2 语法（不支持前瞻、后顾和反向引用）' : '格式不对';
      throw new SilenceArgsError(`匹配条件 ${text} 无效：${why}`);
    }
    matchers.push(text);
  }
  if (matchers.length > MAX_SILENCE_MATCHERS)
    throw new SilenceArgsError(`匹配条件太多（最多 ${MAX_SILENCE_MATCHERS} 个）`);
  if (!matchers.length) throw new SilenceArgsError('至少需要一个匹配条件，如 service=payments');
  const durationText = args[index];
  if (!durationText) throw new SilenceArgsError('缺少时长，如 30m、2h、1d');
  let durationMs: number;
  try {
    durationMs = parseDurationSeconds(durationText) * 1000;
  } catch {
    throw new SilenceArgsError(`${durationText} 不是时长（匹配条件要写在时长前面；时长如 30m、2h、1d）`);
  }
  if (durationMs < MIN_SILENCE_MS || durationMs > MAX_SILENCE_MS)
    throw new SilenceArgsError('时长需在 1 分钟到 7 天之间');
  const reason = args.slice(index + 1);
  if (reason.some(looksLikeMatcher)) throw new SilenceArgsError('匹配条件要写在时长前面');
  return { matchers, durationMs, reason: reason.join(' ') };
}
