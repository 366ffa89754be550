import * as z from 'zod';
import { alertCard } from '../feishu/cards.js';
import type { CardAction, CardActionAnswer } from '../feishu/events.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../store/queue/sqs.js';
import { acknowledgeAlert, resolveAlertByHand, silenceAlert, type AlertActionDeps, type AlertActionOutcome } from './alert-actions.js';
import type { ChatopsTask } from './tasks.js';

/** What the alert card's buttons carry (see alertCard). */
const buttonValueSchema = z.object({
  action: z.enum(['ack', 'resolve', 'silence']),
  alertId: z.string().regex(/^[0-9a-f]{6,64}$/),
});

const SILENCE_BUTTON_MS = 3600_000;

export interface CardActionDeps extends AlertActionDeps {
  queue: Queue<ChatopsTask>;
  log: Logger;
}

/**
 * Answers a click on an alert card within Feishu's 3 s: applies the change, then answers with a toast and the card
 * as it now is (Feishu shows it to everyone in place of the clicked one). The alert's cards in other chats are
 * patched by the chatops consumer; if that cannot be queued the change still stands and the next update fixes them.
 */
export async function answerCardAction(action: CardAction, eventId: string, deps: CardActionDeps): Promise<CardActionAnswer> {
  const value = buttonValueSchema.safeParse(action.action.value);
  if (!value.success) {
    deps.log.warn('card action not understood', { eventId, value: action.action.value });
    return { toast: { type: 'error', content: '无法识别的按钮操作' } };
  }
  const { action: kind, alertId } = value.data;
  const by = { openId: action.operator.open_id };
  let outcome: AlertActionOutcome;
  if (kind === 'ack') outcome = await acknowledgeAlert(alertId, by, deps);
  else if (kind === 'resolve') outcome = await resolveAlertByHand(alertId, by, undefined, deps);
  else outcome = await silenceAlert(alertId, by, SILENCE_BUTTON_MS, '', `card:${eventId}`, deps);
  deps.log.info('card action', { eventId, action: kind, alertId, operator: by.openId, changed: outcome.changed });

  if (outcome.changed) {
    const task: ChatopsTask = { kind: 'alert_changed', alertId, reason: kind };
    const sent = await deps.queue.sendAll([task]).then((result) => !result.failed.length, () => false);
    if (!sent) deps.log.error('card update of other chats not queued', { alertId, action: kind });
  }
  const answer: CardActionAnswer = { toast: { type: outcome.changed ? 'success' : outcome.stored ? 'info' : 'error', content: outcome.message } };
  if (outcome.stored) answer.card = { type: 'raw', data: alertCard(outcome.stored, { timeZone: deps.timeZone, now: new Date(deps.now()).toISOString() }) };
  return answer;
}
