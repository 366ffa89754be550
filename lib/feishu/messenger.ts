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
}

/** A Feishu API answer with a non-zero code, kept with the code so callers can tell quota from permission errors. */
export class FeishuApiError extends Error {
  constructor(
    readonly operation: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`Feishu ${operation} failed${code !== undefined ? ` (code ${code})` : ''}: ${message}`);
    this.name = 'FeishuApiError';
  }
}
