import { expect } from 'vitest';
import { delivery, envelope, textMessage, type FeishuApp } from '../../infra/local/feishu-events.js';
import { LOCAL_BOT_OPEN_ID, type OutboxEntry } from '../../infra/local/feishu-standin.js';
import { LOCAL_ENCRYPT_KEY, LOCAL_VERIFICATION_TOKEN, type LocalRuntime } from '../../infra/local/runtime.js';
import { waitFor } from './wait.js';

const app: FeishuApp = { verificationToken: LOCAL_VERIFICATION_TOKEN, encryptKey: LOCAL_ENCRYPT_KEY };

/** Talking to a local runtime as Feishu does: signed, encrypted events to its webhook (the runtime once started). */
export function chatWith(runtime: () => LocalRuntime) {
  /** Posts an event (a message, a card click) as Feishu would; returns the webhook's answer. */
  async function feishu(payload: object) {
    const { body, headers } = delivery(app, payload);
    const response = await fetch(`${runtime().url}/feishu/events`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  /** Sends a chat message to the bot and waits for its reply; returns the reply's text or card markdown. */
  async function say(
    text: string,
    options: { chatType?: 'p2p' | 'group'; sender?: string; chatId?: string; parentId?: string } = {},
  ) {
    const event = textMessage({
      text,
      botOpenId: LOCAL_BOT_OPEN_ID,
      chatType: options.chatType ?? 'group',
      senderOpenId: options.sender,
      chatId: options.chatId,
      parentId: options.parentId,
    });
    expect(await feishu(envelope(app, 'im.message.receive_v1', event))).toMatchObject({
      status: 200,
      body: { accepted: 'queued' },
    });
    const reply = await waitFor(
      () =>
        runtime().outbox.find((e) => e.path.startsWith(`/open-apis/im/v1/messages/${event.message.message_id}/reply`)),
      `a reply to "${text}"`,
    );
    return replyText(reply);
  }

  return { app, feishu, say };
}

/** The reply as a person reads it: a text message's text, or a card's title and markdown with entities decoded. */
export function replyText(entry: OutboxEntry): string {
  const body = entry.body as { msg_type: string; content: string };
  const content = JSON.parse(body.content);
  if (body.msg_type === 'text') return content.text as string;
  const markdown = [
    content.header?.title?.content,
    ...(content.body?.elements ?? []).map((el: { content?: string }) => el.content ?? ''),
  ].join('\n');
  return markdown.replace(/&#(\d+);/g, (_: string, code: string) => String.fromCharCode(Number(code)));
}
