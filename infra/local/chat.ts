import type { IncomingMessage, ServerResponse } from 'node:http';
import { delivery, envelope, textMessage } from './feishu-events.js';
import { LOCAL_BOT_OPEN_ID, type OutboxEntry } from './feishu-standin.js';
import { send } from './http-gateway.js';

export interface ChatDriverDeps {
  /** Where the webhook listens (`POST <url>/feishu/events`). */
  url: string;
  /** The app's event keys the webhook checks. */
  app: { verificationToken: string; encryptKey?: string };
  outbox: OutboxEntry[];
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body, null, 2));

/**
 * `POST /_local/chat`: talks to the bot without Feishu. `{"text": "/status", "chatType"?: "p2p", "sender"?: "ou_…"}`
 * becomes a signed, encrypted `im.message.receive_v1` delivery to the real webhook route, and the bot's reply, once
 * chatops has sent it to the outbox, is the answer.
 */
export async function chat(req: IncomingMessage, res: ServerResponse, deps: ChatDriverDeps): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let request: { text?: unknown; chatType?: unknown; sender?: unknown };
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return json(res, 400, { error: 'body is not JSON; send {"text": "/help"}' });
  }
  if (typeof request.text !== 'string' || !request.text.trim()) {
    return json(res, 400, { error: 'text is required, e.g. {"text": "/help"}' });
  }
  const event = textMessage({
    text: request.text,
    chatType: request.chatType === 'p2p' ? 'p2p' : 'group',
    senderOpenId: typeof request.sender === 'string' ? request.sender : undefined,
    botOpenId: LOCAL_BOT_OPEN_ID,
  });
  const { body, headers } = delivery(deps.app, envelope(deps.app, 'im.message.receive_v1', event));
  const answer = await fetch(`${deps.url}/feishu/events`, { method: 'POST', headers, body });
  if (answer.status !== 200) {
    return send(res, answer.status, { 'content-type': 'application/json' }, await answer.text());
  }
  const replyPath = `/open-apis/im/v1/messages/${event.message.message_id}/reply`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const reply = deps.outbox.find((entry) => entry.path === replyPath);
    if (reply) {
      const { msg_type, content } = reply.body as { msg_type: string; content: string };
      return json(res, 200, { messageId: event.message.message_id, msg_type, content: JSON.parse(content) });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return json(res, 504, { error: 'no reply within 15 s; see the chatops log lines' });
}
