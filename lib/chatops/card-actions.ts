import * as z from 'zod';
import { decideApproval } from '../automation/approvals.js';
import type { AutomationDeps } from '../automation/submit.js';
import { approvalCard } from '../automation/cards.js';
import { cardOptions, incidentCard, type CardOptions } from '../incidents/card.js';
import type { CardAction, CardActionAnswer } from '../feishu/events.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import {
  acknowledgeIncident,
  resolveIncidentByHand,
  silenceIncident,
  type IncidentActionDeps,
  type IncidentActionOutcome,
} from './incident-actions.js';
import type { ChatopsTask } from './tasks.js';

const id = z.string().regex(/^[0-9a-f]{6,64}$/);
/** What the buttons carry: the incident card's (incidentCard), the approval card's and the draft card's. */
const buttonValueSchema = z.union([
  z.object({ action: z.enum(['ack', 'resolve', 'silence']), incidentId: id }),
  z.object({ action: z.enum(['approve', 'reject']), requestId: id }),
  z.object({ action: z.literal('save_kb'), incidentId: id }),
  z.object({ action: z.enum(['diagnose', 'run_suggested']), incidentId: id }),
]);

const SILENCE_BUTTON_MS = 3600_000;

export interface CardActionDeps extends IncidentActionDeps, CardOptions {
  queue: Queue<ChatopsTask>;
  log: Logger;
  /** The request store, audit log and automation queue that approvals need. */
  approvals: Pick<AutomationDeps, 'requests' | 'audit' | 'queue'>;
}

/**
 * Answers a click on an incident card within Feishu's 3 s: applies the change, then answers with a toast and the card
 * as it now is (Feishu shows it to everyone in place of the clicked one). The incident's cards in other chats are
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
  // What needs more than this function loads (automation's gate, the knowledge base) is handed to chatops, which
  // answers under this card.
  if (value.data.action === 'diagnose' || value.data.action === 'run_suggested') {
    const what = value.data.action === 'diagnose' ? '主机诊断' : '建议操作';
    return handOff(deps, `已提交${what}，结果会回复在卡片下`, '提交失败，请稍后重试', {
      kind: 'card_request',
      request: value.data.action,
      incidentId: value.data.incidentId,
      by: by.openId,
      eventId,
      chatId: action.context?.open_chat_id,
      messageId: action.context?.open_message_id,
    });
  }
  if (value.data.action === 'save_kb') {
    return handOff(deps, '正在保存到知识库…', '保存失败，请稍后重试', {
      kind: 'save_knowledge',
      incidentId: value.data.incidentId,
      by: by.openId,
      messageId: action.context?.open_message_id,
    });
  }
  const { action: kind, incidentId } = value.data;
  let outcome: IncidentActionOutcome;
  const asked = { by, requestId: `card:${eventId}` };
  if (kind === 'ack') outcome = await acknowledgeIncident(incidentId, asked, deps);
  else if (kind === 'resolve') outcome = await resolveIncidentByHand(incidentId, asked, undefined, deps);
  else outcome = await silenceIncident(incidentId, asked, SILENCE_BUTTON_MS, '', deps);
  deps.log.info('card action', { eventId, action: kind, incidentId, operator: by.openId, changed: outcome.changed });

  if (outcome.changed) {
    const tasks: ChatopsTask[] = [{ kind: 'incident_changed', incidentId, reason: kind, by: by.openId }];
    // The card has no room for a note: chat asks for it, and the reply becomes a knowledge draft.
    if (kind === 'resolve') tasks.push({ kind: 'ask_note', incidentId, by: by.openId });
    const sent = await deps.queue.sendAll(tasks).then(
      (result) => !result.failed.length,
      () => false,
    );
    if (!sent) deps.log.error('card update of other chats not queued', { incidentId, action: kind });
  }
  const answer: CardActionAnswer = {
    toast: { type: outcome.changed ? 'success' : outcome.incident ? 'info' : 'error', content: outcome.message },
  };
  if (outcome.incident) {
    const now = new Date(deps.now()).toISOString();
    answer.card = { type: 'raw', data: incidentCard(outcome.incident, { ...cardOptions(deps), now }) };
  }
  return answer;
}

/** Queues a task for chatops and says in a toast whether it was taken. */
async function handOff(
  deps: CardActionDeps,
  taken: string,
  failed: string,
  task: ChatopsTask,
): Promise<CardActionAnswer> {
  const queued = await deps.queue.sendAll([task]).then(
    (result) => !result.failed.length,
    () => false,
  );
  return { toast: queued ? { type: 'info', content: taken } : { type: 'error', content: failed } };
}
