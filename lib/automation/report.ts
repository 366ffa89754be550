import { stableId } from '../alerts/fingerprint.js';
import { approvalCard, automationCard } from '../feishu/automation-cards.js';
import type { Messenger } from '../feishu/messenger.js';
import type { Logger } from '../lambda/logger.js';
import type { AutomationRequest, RequestStore } from './requests.js';

export interface RequestCards {
  /** Brings every card of a request in line with its state: sends what was never sent, patches the rest. */
  show(request: AutomationRequest): Promise<void>;
}

/**
 * A request's cards: one progress card in reply to the message that asked (or in the alert's chat for a rule), and
 * one approval card per approver while approval is needed. Sends carry uuid keys, so showing twice posts nothing twice.
 */
export function requestCards(
  messenger: Messenger,
  requests: RequestStore,
  options: { timeZone: string; log: Logger },
): RequestCards {
  return {
    async show(request) {
      const card = automationCard(request, options);
      if (request.cardMessageId) await messenger.patchCard(request.cardMessageId, card);
      else if (request.messageId || request.chatId) {
        const key = stableId(request.requestId, 'progress');
        const cardMessageId = request.messageId
          ? await messenger.reply(request.messageId, { kind: 'card', card }, key)
          : await messenger.sendCard({ kind: 'chat', id: request.chatId! }, card, key);
        request.cardMessageId = cardMessageId;
        await requests.update(request.requestId, { cardMessageId });
      }
      if (!request.approval) return;
      const cards = { ...request.approval.cards };
      const approvalView = approvalCard(request, options);
      for (const approver of request.approval.approvers) {
        if (cards[approver]) await messenger.patchCard(cards[approver], approvalView);
        else if (request.status === 'pending_approval')
          cards[approver] = await messenger.sendCard(
            { kind: 'user', id: approver },
            approvalView,
            stableId(request.requestId, 'approval', approver),
          );
      }
      if (Object.keys(cards).length !== Object.keys(request.approval.cards).length) {
        request.approval.cards = cards;
        await requests.update(request.requestId, { approval: request.approval });
      }
      options.log.info('request cards shown', { requestId: request.requestId, status: request.status });
    },
  };
}
