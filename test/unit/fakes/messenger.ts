import type { Messenger, OutgoingMessage } from '../../../lib/feishu/messenger.js';

type Target = { kind: 'chat' | 'user'; id: string };
type UrgentKind = 'app' | 'sms' | 'phone';

/**
 * Records every Feishu call. Like Feishu, a send with an idempotency key (`uuid`) already used returns the
 * message it created the first time; it is still recorded as a call, so tests see any attempt to send again.
 */
export class RecordingMessenger implements Messenger {
  readonly sends: { target: Target; card: object; idempotencyKey: string; messageId: string }[] = [];
  readonly patches: { messageId: string; card: object }[] = [];
  readonly urgents: { messageId: string; kind: UrgentKind; openIds: string[] }[] = [];
  /** Urgent kinds that fail, like Feishu's quota error 230024 for SMS and phone. */
  readonly failingUrgent = new Set<UrgentKind>();
  /** Chats the bot cannot post to, like Feishu's "bot is not in the chat". */
  readonly failingChats = new Set<string>();
  readonly replies: { messageId: string; message: OutgoingMessage; idempotencyKey: string; replyId: string }[] = [];
  readonly botId = 'ou_openclaw_bot';
  private readonly byKey = new Map<string, string>();

  async sendCard(target: Target, card: object, idempotencyKey: string) {
    if (target.kind === 'chat' && this.failingChats.has(target.id))
      throw new Error(`send to ${target.id}: code 230002, bot is not in the chat`);
    const messageId = this.byKey.get(idempotencyKey) ?? `om_${this.byKey.size + 1}`;
    this.byKey.set(idempotencyKey, messageId);
    this.sends.push({ target, card: structuredClone(card), idempotencyKey, messageId });
    return messageId;
  }

  async patchCard(messageId: string, card: object) {
    this.patches.push({ messageId, card: structuredClone(card) });
  }

  async urgent(messageId: string, kind: UrgentKind, openIds: string[]) {
    if (this.failingUrgent.has(kind)) throw new Error(`urgent_${kind}: code 230024, quota exceeded`);
    this.urgents.push({ messageId, kind, openIds });
  }

  async reply(messageId: string, message: OutgoingMessage, idempotencyKey: string) {
    const replyId = this.byKey.get(idempotencyKey) ?? `om_reply_${this.byKey.size + 1}`;
    this.byKey.set(idempotencyKey, replyId);
    this.replies.push({ messageId, message: structuredClone(message), idempotencyKey, replyId });
    return replyId;
  }

  async botOpenId() {
    return this.botId;
  }

  readonly chats: { chatId: string; name: string; description: string; openIds: string[]; idempotencyKey: string }[] =
    [];
  readonly chatMembers: { chatId: string; openIds: string[] }[] = [];
  readonly pins: string[] = [];
  /** Make chat creation fail with this error, like Feishu's "no permission to create chats". */
  failingChatCreate?: Error;

  async createChat(chat: { name: string; description: string; openIds: string[] }, idempotencyKey: string) {
    if (this.failingChatCreate) throw this.failingChatCreate;
    const chatId = this.byKey.get(idempotencyKey) ?? `oc_room_${this.byKey.size + 1}`;
    this.byKey.set(idempotencyKey, chatId);
    this.chats.push({ chatId, ...structuredClone(chat), idempotencyKey });
    return chatId;
  }

  async addChatMembers(chatId: string, openIds: string[]) {
    this.chatMembers.push({ chatId, openIds: [...openIds] });
  }

  async pinMessage(messageId: string) {
    this.pins.push(messageId);
  }
}
