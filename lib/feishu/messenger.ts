/** The Feishu calls the alert pipeline makes. The adapter is the official SDK; tests point it at a stand-in. */
export interface Messenger {
  /** Sends an interactive card; `idempotencyKey` is Feishu's `uuid`, so a retried send never posts twice. */
  sendCard(target: { kind: 'chat' | 'user'; id: string }, card: object, idempotencyKey: string): Promise<string>;
  patchCard(messageId: string, card: object): Promise<void>;
  /** 加急: in-app, SMS or phone call to the listed users about a message the bot sent. */
  urgent(messageId: string, kind: 'app' | 'sms' | 'phone', openIds: string[]): Promise<void>;
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
