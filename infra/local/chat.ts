import type { IncomingMessage, ServerResponse } from 'node:http';
import { cardClick, delivery, envelope, LOCAL_USER_OPEN_ID, textMessage } from './feishu-events.js';
import { LOCAL_BOT_OPEN_ID, type OutboxEntry } from './feishu-standin.js';
import { send } from './http-gateway.js';
import { cardButtons, currentCard } from './outbox-view.js';

export interface ChatDriverDeps {
  /** Where the webhook listens (`POST <url>/feishu/events`). */
  url: string;
  /** The app's event keys the webhook checks. */
  app: { verificationToken: string; encryptKey?: string };
  outbox: OutboxEntry[];
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body, null, 2));

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The request's JSON object, or undefined once a 400 saying what to send has been answered. */
async function readRequest(
  req: IncomingMessage,
  res: ServerResponse,
  example: string,
): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
    if (request && typeof request === 'object' && !Array.isArray(request)) return request as Record<string, unknown>;
  } catch {
    // answered below
  }
  json(res, 400, { error: `body is not a JSON object; send ${example}` });
  return undefined;
}

/** Delivers an event to the webhook as Feishu does: signed and encrypted with the app's keys. */
const deliver = (deps: ChatDriverDeps, eventType: string, event: object) => {
  const { body, headers } = delivery(deps.app, envelope(deps.app, eventType, event));
  return fetch(`${deps.url}/feishu/events`, { method: 'POST', headers, body });
};

/**
 * `POST /_local/chat`: talks to the bot without Feishu. `{"text": "/status", "chatType"?: "p2p", "sender"?: "ou_…",
 * "chatId"?: "oc_…", "parentId"?: "om_…", "rootId"?: "om_…"}` becomes a signed, encrypted `im.message.receive_v1`
 * delivery to the real webhook route (with `parentId`, a reply in that message's thread), and the bot's reply, once
 * chatops has sent it to the outbox, is the answer.
 */
export async function chat(req: IncomingMessage, res: ServerResponse, deps: ChatDriverDeps): Promise<void> {
  const request = await readRequest(req, res, '{"text": "/help"}');
  if (!request) return;
  if (typeof request.text !== 'string' || !request.text.trim()) {
    return json(res, 400, { error: 'text is required, e.g. {"text": "/help"}' });
  }
  const event = textMessage({
    text: request.text,
    chatType: request.chatType === 'p2p' ? 'p2p' : 'group',
    senderOpenId: text(request.sender),
    chatId: text(request.chatId),
    parentId: text(request.parentId),
    rootId: text(request.rootId),
    botOpenId: LOCAL_BOT_OPEN_ID,
  });
  const answer = await deliver(deps, 'im.message.receive_v1', event);
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

/**
 * `POST /_local/card`: clicks a card button without Feishu. `{"messageId": "om_…", "button": "确认", "operator"?:
 * "ou_…"}` clicks the button so labelled on that message's card as the outbox shows it now; `{"value": {…}}` sends a
 * button's callback value as it is. Either becomes a signed, encrypted `card.action.trigger` delivery to the real
 * webhook route, and the webhook's answer (the toast and the card as it now is) is the answer.
 */
export async function clickCard(req: IncomingMessage, res: ServerResponse, deps: ChatDriverDeps): Promise<void> {
  const request = await readRequest(req, res, '{"messageId": "om_…", "button": "确认"}');
  if (!request) return;
  const messageId = text(request.messageId);
  let chatId = text(request.chatId);
  let value = request.value;
  if (value === undefined) {
    const label = text(request.button);
    if (!messageId || !label) {
      return json(res, 400, {
        error: 'send {"messageId": "om_…", "button": "确认"} (a card in GET /_local/outbox) or {"value": {…}}',
      });
    }
    const shown = currentCard(deps.outbox, messageId);
    if (!shown) return json(res, 404, { error: `no card ${messageId} in the outbox` });
    const buttons = cardButtons(shown.card).filter((button) => button.value);
    const button = buttons.find((candidate) => candidate.label === label);
    if (!button) {
      const labels = buttons.map((candidate) => candidate.label).join(', ') || 'none';
      return json(res, 404, { error: `card ${messageId} has no button "${label}"; its buttons: ${labels}` });
    }
    value = button.value;
    chatId ??= shown.chatId;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return json(res, 400, { error: "value must be a JSON object, a button's callback value" });
  }
  const event = cardClick(value, { operatorOpenId: text(request.operator) ?? LOCAL_USER_OPEN_ID, messageId, chatId });
  const answer = await deliver(deps, 'card.action.trigger', event);
  const body = await answer.text();
  const parsed = answer.headers.get('content-type')?.includes('json') ? (JSON.parse(body) as unknown) : body;
  return json(res, answer.status, parsed);
}
