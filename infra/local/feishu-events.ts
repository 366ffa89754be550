import { randomBytes, randomUUID } from 'node:crypto';
import { encryptEvent, eventSignature } from '../../lib/feishu/webhook-crypto.js';

/**
 * Builds Feishu event deliveries the way Feishu does (FEISHU.md): a schema 2.0 envelope, encrypted with the app's
 * Encrypt Key and signed over the exact bytes sent. The local runtime's `POST /_local/chat` uses them to talk to the
 * bot without Feishu; tests tamper with one part at a time.
 */
export interface FeishuApp {
  verificationToken: string;
  encryptKey?: string;
}

export function envelope(
  app: FeishuApp,
  eventType: string,
  event: object,
  header: { eventId?: string; createTime?: number; token?: string } = {},
) {
  return {
    schema: '2.0',
    header: {
      event_id: header.eventId ?? randomUUID().replace(/-/g, ''),
      token: header.token ?? app.verificationToken,
      create_time: String(header.createTime ?? Date.now()),
      event_type: eventType,
      tenant_key: 'tenant_local',
      app_id: 'cli_openclaw_local',
    },
    event,
  };
}

/** The body and headers of one delivery of `payload`: encrypted and signed when the app has an Encrypt Key. */
export function delivery(app: FeishuApp, payload: object, options: { sign?: boolean; timestamp?: string } = {}) {
  const plain = JSON.stringify(payload);
  if (!app.encryptKey)
    return { body: plain, headers: { 'content-type': 'application/json' } as Record<string, string> };
  const body = JSON.stringify({ encrypt: encryptEvent(plain, app.encryptKey) });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.sign ?? true) {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    headers['x-lark-request-timestamp'] = timestamp;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = eventSignature(timestamp, nonce, app.encryptKey, Buffer.from(body));
  }
  return { body, headers };
}

let messageSequence = 0;

/** Who talks to the bot and clicks its cards locally unless a request says otherwise: on the demo roster, an admin. */
export const LOCAL_USER_OPEN_ID = 'ou_sre_zhangwei';

/** `im.message.receive_v1` for a text message; in a group the bot is @-mentioned first unless `mentionBot` is false. */
export function textMessage(options: {
  text: string;
  chatId?: string;
  chatType?: 'p2p' | 'group';
  senderOpenId?: string;
  botOpenId: string;
  messageId?: string;
  mentionBot?: boolean;
  /** A reply in a thread: the message replied to, and the thread's first message (the same one unless said). */
  parentId?: string;
  rootId?: string;
}) {
  const chatType = options.chatType ?? 'group';
  const mention = chatType === 'group' && options.mentionBot !== false;
  return {
    sender: {
      sender_id: { open_id: options.senderOpenId ?? LOCAL_USER_OPEN_ID },
      sender_type: 'user',
      tenant_key: 'tenant_local',
    },
    message: {
      message_id: options.messageId ?? `om_user_${++messageSequence}_${randomUUID().slice(0, 8)}`,
      ...(options.parentId ? { parent_id: options.parentId, root_id: options.rootId ?? options.parentId } : {}),
      chat_id: options.chatId ?? 'oc_ops_alerts',
      chat_type: chatType,
      message_type: 'text',
      content: JSON.stringify({ text: `${mention ? '@_user_1 ' : ''}${options.text}` }),
      create_time: String(Date.now()),
      mentions: mention ? [{ key: '@_user_1', id: { open_id: options.botOpenId }, name: 'OpenClaw' }] : [],
    },
  };
}

/** `card.action.trigger`: a click on a button whose callback value is `value`. */
export function cardClick(value: object, options: { operatorOpenId: string; messageId?: string; chatId?: string }) {
  return {
    operator: { open_id: options.operatorOpenId },
    token: `c-${randomUUID()}`,
    action: { value, tag: 'button' },
    context: { open_message_id: options.messageId ?? 'om_card', open_chat_id: options.chatId ?? 'oc_ops_alerts' },
  };
}
