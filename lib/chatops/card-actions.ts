import * as z from 'zod';
import { decideApproval } from '../automation/approvals.js';
import type { AutomationDeps } from '../automation/submit.js';
import { approvalCard } from '../automation/cards.js';
import { alertCard } from '../alerts/card.js';
import type { CardAction, CardActionAnswer } from '../feishu/events.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import {
  acknowledgeAlert,
  resolveAlertByHand,
  silenceAlert,
  type AlertActionDeps,
  type AlertActionOutcome,
} from './alert-actions.js';
import type { ChatopsTask } from './tasks.js';

/** What the buttons carry: the alert card's (see alertCard) and the approval card's (see approvalCard). */
const buttonValueSchema = z.union([
  z.object({ action: z.enum(['ack', 'resolve', 'silence']), alertId: z.string().regex(/^[0-9a-f]{6,64}$/) }),
  z.object({ action: z.enum(['approve', 'reject']), requestId: z.string().regex(/^[0-9a-f]{6,64}$/) }),
  z.object({ action: z.literal('save_kb'), alertId: z.string().regex(/^[0-9a-f]{6,64}$/) }),
]);

const SILENCE_BUTTON_MS = 3600_000;

export interface CardActionDeps extends AlertActionDeps {
  queue: Queue<ChatopsTask>;
  log: Logger;
  /** The request store, audit log and automation queue that approvals need. */
  approvals: Pick<AutomationDeps, 'requests' | 'audit' | 'queue'>;
}

/**
 * Answers a click on an alert card within Feishu's 3 s: applies the change, then answers with a toast and the card
 * as it now is (Feishu shows it to everyone in place of the clicked one). The alert's cards in other chats are
 * patched by the chatops consumer; if that cannot be queued the change still stands and the next update fixes them.
 */
export async function answerCardAction(
  action: CardAction,
  eventId: string,
  deps: CardActionDeps,
): Promise<CardActionAnswer> {
  const value = buttonValueSchema.safeParse(action.action.value);
  if (!value.success) {
    deps.log.warn('card action not understood', { eventId, value: action.action.value });
    return { toast: { type: 'error', content: '无法识别的按钮操作' } };
  }
  const by = { openId: action.operator.open_id };
  if ('requestId' in value.data) {
    const decision = await decideApproval(value.data.requestId, by, value.data.action === 'approve', {
      ...deps.approvals,
      now: deps.now,
      log: deps.log,
      timeZone: deps.timeZone,
    });
    deps.log.info('approval decision', {
      eventId,
      requestId: value.data.requestId,
      approver: by.openId,
      approve: value.data.action === 'approve',
      changed: decision.changed,
    });
    return {
      toast: { type: decision.changed ? 'success' : decision.request ? 'info' : 'error', content: decision.message },
      ...(decision.request
        ? { card: { type: 'raw' as const, data: approvalCard(decision.request, { timeZone: deps.timeZone }) } }
        : {}),
    };
  }
  if (value.data.action === 'save_kb') {
    // Writing the article needs the knowledge base, which this function does not load: chatops saves it and
    // updates this card.
    const task: ChatopsTask = {
      kind: 'save_knowledge',
      alertId: value.data.alertId,
      by: by.openId,
      messageId: action.context?.open_message_id,
    };
    const queued = await deps.queue.sendAll([task]).then(
      (result) => !result.failed.length,
      () => false,
    );
    return {
      toast: queued
        ? { type: 'info', content: '正在保存到知识库…' }
        : { type: 'error', content: '保存失败，请稍后重试' },
    };
  }
  const { action: kind, alertId } = value.data;
  let outcome: AlertActionOutcome;
  if (kind === 'ack') outcome = await acknowledgeAlert(alertId, by, deps);
  else if (kind === 'resolve') outcome = await resolveAlertByHand(alertId, by, undefined, deps);
  else outcome = await silenceAlert(alertId, by, SILENCE_BUTTON_MS, '', `card:${eventId}`, deps);
  deps.log.info('card action', { eventId, action: kind, alertId, operator: by.openId, changed: outcome.changed });

  if (outcome.changed) {
    const tasks: ChatopsTask[] = [{ kind: 'alert_changed', alertId, reason: kind }];
    // The card has no room for a note: chat asks for it, and the reply becomes a knowledge draft.
    if (kind === 'resolve') tasks.push({ kind: 'ask_note', alertId, by: by.openId });
    const sent = await deps.queue.sendAll(tasks).then(
      (result) => !result.failed.length,
      () => false,
    );
    if (!sent) deps.log.error('card update of other chats not queued', { alertId, action: kind });
  }
  const answer: CardActionAnswer = {
    toast: { type: outcome.changed ? 'success' : outcome.stored ? 'info' : 'error', content: outcome.message },
  };
  if (outcome.stored)
    answer.card = {
      type: 'raw',
      data: alertCard(outcome.stored, { timeZone: deps.timeZone, now: new Date(deps.now()).toISOString() }),
    };
  return answer;
}
