/** A message in a reply: plain text (mentions as `<at user_id="ou_…"></at>`) or an interactive card. */
export type OutgoingMessage = { kind: 'text'; text: string } | { kind: 'card'; card: object };

/** The Feishu calls OpenClaw makes. The adapter is the official SDK; tests point it at a stand-in. */
export interface Messenger {
  /** Sends an interactive card; `idempotencyKey` is Feishu's `uuid`, so a retried send never posts twice. */
  sendCard(target: { kind: 'chat' | 'user'; id: string }, card: object, idempotencyKey: string): Promise<string>;
  patchCard(messageId: string, card: object): Promise<void>;
  /** 加急: in-app, SMS or phone call to the listed users about a message the bot sent. */
  urgent(messageId: string, kind: 'app' | 'sms' | 'phone', openIds: string[]): Promise<void>;
  /** Replies to a message, in its thread when it has one; `idempotencyKey` as for sendCard. Returns the reply's id. */
  reply(messageId: string, message: OutgoingMessage, idempotencyKey: string): Promise<string>;
  /** The bot's own open_id, to tell a mention of the bot from a mention of someone else. */
  botOpenId(): Promise<string>;
  /**
   * Creates a group chat with the bot in it and `openIds` (50 at most); `idempotencyKey` is Feishu's `uuid`, so the
   * same key within 10 hours creates no second chat. Returns its chat_id.
   */
  createChat(chat: { name: string; description: string; openIds: string[] }, idempotencyKey: string): Promise<string>;
  /** Adds people to a chat the bot is in (50 at most a call); those already in it are left as they are. */
  addChatMembers(chatId: string, openIds: string[]): Promise<void>;
  /** Pins a message in its chat. */
  pinMessage(messageId: string): Promise<void>;
}

/** A Feishu API answer with a non-zero code, kept with the code so callers can tell quota from permission errors. */
export class FeishuApiError extends Error {
  constructor(
    readonly operation: string,
    readonly code: number | undefined,
    message: string,
    /** The HTTP status, when the answer had one (429: the gateway's rate limit). */
    readonly status?: number,
    /** How long Feishu asked us to wait (its `x-ogw-ratelimit-reset` header), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(`Feishu ${operation} failed${code !== undefined ? ` (code ${code})` : ''}: ${message}`);
    this.name = 'FeishuApiError';
  }
}

/**
 * Feishu's answers that mean "too fast, try again": the gateway's HTTP 429 and 99991400, the per-chat 230020 and
 * the tenant's message-service limit 11232.
 */
const RATE_LIMIT_CODES = new Set([99991400, 230020, 11232]);

export const isRateLimited = (error: unknown) =>
  error instanceof FeishuApiError &&
  (error.status === 429 || (error.code !== undefined && RATE_LIMIT_CODES.has(error.code)));

/**
 * Whether trying the same call again may work: a rate limit, a server error, or no answer at all (a timeout, a
 * dropped connection). A definite refusal (no permission, bot not in the chat, quota spent) is not retried.
 */
/** Bitable's answer to two writes to one table at once (1254291): the other write is done soon after. */
const BUSY_CODES = new Set([1254291]);

export const isRetryable = (error: unknown) =>
  isRateLimited(error) ||
  (error instanceof FeishuApiError && error.code !== undefined && BUSY_CODES.has(error.code)) ||
  !(error instanceof FeishuApiError) ||
  error.code === undefined ||
  (error.status !== undefined && error.status >= 500);
