import type { Metrics } from '../lambda/metrics.js';
import { FeishuApiError, type Messenger } from './messenger.js';

/** Feishu's own code for a refusal; the HTTP status when there was none; `no_answer` for a timeout or a reset. */
export function feishuErrorCode(error: unknown): string {
  if (!(error instanceof FeishuApiError)) return 'no_answer';
  if (error.code !== undefined) return String(error.code);
  return error.status !== undefined ? `http_${error.status}` : 'no_answer';
}

/**
 * Counts every Feishu call that fails (FeishuErrors by Code), each attempt on its own: wrapped inside the paced
 * messenger, a call that passes on its third try still shows the two failures before it.
 */
export function meteredMessenger(inner: Messenger, metrics: Metrics): Messenger {
  const counted = (error: unknown): never => {
    metrics.add('FeishuErrors', { Code: feishuErrorCode(error) });
    throw error;
  };
  return {
    sendCard: (target, card, key) => inner.sendCard(target, card, key).catch(counted),
    patchCard: (messageId, card) => inner.patchCard(messageId, card).catch(counted),
    urgent: (messageId, kind, openIds) => inner.urgent(messageId, kind, openIds).catch(counted),
    reply: (messageId, message, key) => inner.reply(messageId, message, key).catch(counted),
    botOpenId: () => inner.botOpenId().catch(counted),
    createChat: (chat, key) => inner.createChat(chat, key).catch(counted),
    addChatMembers: (chatId, openIds) => inner.addChatMembers(chatId, openIds).catch(counted),
    pinMessage: (messageId) => inner.pinMessage(messageId).catch(counted),
  };
}
