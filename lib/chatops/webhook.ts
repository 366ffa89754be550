import { cardActionSchema } from '../feishu/events.js';
import { openFeishuRequest, type WebhookSecrets } from '../feishu/webhook.js';
import { HttpError } from '../lambda/errors.js';
import type { Logger } from '../lambda/logger.js';
import type { Metrics } from '../lambda/metrics.js';
import { answerCardAction, type CardActionDeps } from './card-actions.js';
import { acceptEvent, type InboxDeps } from './inbox.js';
import { clickFailureAnswer } from './replies.js';

export interface FeishuWebhookDeps {
  /** The app's event keys (the Verification Token and, when set, the Encrypt Key). */
  keys(): Promise<{ verificationToken?: string; encryptKey?: string }>;
  inbox: InboxDeps;
  /** What card buttons need, made per click (the link key comes from the secret, cached). */
  cardActions(): Promise<CardActionDeps>;
  log: Logger;
  now: () => number;
  /** Counts the deliveries by what became of them. */
  metrics?: Metrics;
}

/**
 * What `POST /feishu/events` answers, well inside Feishu's 3 s (the URL check in 1 s): the URL check's challenge,
 * a card click's toast and updated card, or, for an event, that it was queued for the chatops consumer (or seen
 * before, or not handled). Authentication failures are HttpErrors (401), as are bodies that are not Feishu's (400).
 */
export async function answerFeishuDelivery(
  request: { rawBody: Buffer; headers: Record<string, string> },
  deps: FeishuWebhookDeps,
): Promise<object> {
  const keys = await deps.keys();
  // Without the token nothing can be authenticated: refuse everything, loudly, rather than accept anything.
  if (!keys.verificationToken) throw new HttpError(503, 'FEISHU_VERIFICATION_TOKEN is not configured');
  const secrets: WebhookSecrets = {
    verificationToken: keys.verificationToken,
    encryptKey: keys.encryptKey || undefined,
  };
  const opened = openFeishuRequest(request.rawBody, request.headers, secrets, deps.now());
  const counted = (outcome: string) => deps.metrics?.add('FeishuEvents', { Outcome: outcome });
  if (opened.kind === 'challenge') {
    counted('challenge');
    return { challenge: opened.challenge };
  }
  const { envelope } = opened;
  if (envelope.header.event_type !== 'card.action.trigger') {
    const accepted = await acceptEvent(envelope, deps.inbox);
    counted(accepted);
    return { accepted };
  }
  counted('card_action');
  const action = cardActionSchema.safeParse(envelope.event);
  if (!action.success) return { toast: { type: 'error', content: '无法识别的卡片回调' } };
  try {
    return await answerCardAction(action.data, envelope.header.event_id, await deps.cardActions());
  } catch (error) {
    // Card callbacks are never retried by Feishu.
    return clickFailureAnswer(error, envelope.header.event_id, deps.log);
  }
}
