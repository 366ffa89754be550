import pRetry from 'p-retry';
import type { Logger } from '../lambda/logger.js';
import { isRateLimited, isRetryable, type Messenger } from './messenger.js';

/** Feishu's budgets for new messages: 50 a second for the app, 5 a second to any one chat or person. */
export const APP_SENDS_PER_SECOND = 50;
export const TARGET_SENDS_PER_SECOND = 5;
/** And 5 updates a second to one message: this far apart at least. */
export const PATCH_SPACING_MS = 200;

/**
 * Shared send budgets: `take` waits until every named budget has room for one more call this second, across all the
 * functions and containers that send (the DynamoDB adapter is lib/store/send-budget-table.ts). It waits `maxWaitMs`
 * at most, then fails as a rate limit would: a person paged by 250 incidents at once gets 5 cards a second, and a
 * caller that waited too long comes back later instead of holding its batch (and the others waiting) up.
 */
export interface SendBudget {
  take(budgets: { key: string; perSecond: number }[], maxWaitMs: number): Promise<void>;
}

/** A send budget stayed full for as long as the caller could wait: the call was not made, and is owed later. */
export class BudgetSpent extends Error {
  constructor(key: string, perSecond: number) {
    super(`the send budget of ${key} (${perSecond} a second) stayed full`);
    this.name = 'BudgetSpent';
  }
}

/** How a failed call is tried again: a few quick attempts, backing off, within a bound. */
export interface RetryOptions {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Attempts stop once this much time has gone by, whatever is left of `retries`. */
  maxRetryTimeMs: number;
  /** How long one attempt may wait for room in a send budget. */
  budgetWaitMs: number;
}

export const FAST_RETRIES: RetryOptions = {
  retries: 4,
  minTimeoutMs: 250,
  maxTimeoutMs: 4000,
  maxRetryTimeMs: 20_000,
  budgetWaitMs: 10_000,
};
/**
 * For a caller that comes back by itself (the incident worker's next round, seconds later): one quick second try,
 * none after a call that hung until its timeout. A struggling Feishu then costs the round seconds, not minutes of
 * in-call retries that hold up every other incident of its batch.
 */
export const ROUND_RETRIES: RetryOptions = {
  retries: 1,
  minTimeoutMs: 250,
  maxTimeoutMs: 1000,
  maxRetryTimeMs: 3000,
  budgetWaitMs: 2000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The messenger every function sends through: new messages wait for room in the app's and the chat's (or person's)
 * budget, updates to one message from this container are spaced PATCH_SPACING_MS apart, and each call that fails in
 * a way that may pass (a rate limit, a server error, a timeout) is tried again on its own with a fast backoff, after
 * waiting as long as Feishu asked. Sends carry Feishu's `uuid`, so a retry never posts twice; a patch or a page is
 * the same call again. A definite refusal (no permission, quota spent) fails at once.
 */
export function pacedMessenger(
  inner: Messenger,
  budget: SendBudget,
  log: Logger,
  retry: RetryOptions = FAST_RETRIES,
): Messenger {
  const lastPatch = new Map<string, number>();
  const attempt = <T>(operation: string, call: () => Promise<T>) =>
    pRetry(call, {
      retries: retry.retries,
      minTimeout: retry.minTimeoutMs,
      maxTimeout: retry.maxTimeoutMs,
      maxRetryTime: retry.maxRetryTimeMs,
      randomize: true,
      shouldRetry: ({ error }) => isRetryable(error),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        log.warn('Feishu call failed', { operation, attempt: attemptNumber, retriesLeft, error: error.message });
        const asked = (error as { retryAfterMs?: number }).retryAfterMs;
        if (isRateLimited(error) && asked && retriesLeft > 0) await sleep(Math.min(asked, retry.maxTimeoutMs));
      },
    });
  const budgets = (target: string) => [
    { key: 'app', perSecond: APP_SENDS_PER_SECOND },
    { key: target, perSecond: TARGET_SENDS_PER_SECOND },
  ];
  return {
    sendCard: (target, card, key) =>
      attempt('send card', async () => {
        await budget.take(budgets(`${target.kind}:${target.id}`), retry.budgetWaitMs);
        return inner.sendCard(target, card, key);
      }),
    reply: (messageId, message, key) =>
      attempt('reply', async () => {
        // A reply goes to the chat of the message it answers, which is not known here; replies are few (answers,
        // reminders, prompts), so they take the app's budget and their thread's.
        await budget.take(budgets(`thread:${messageId}`), retry.budgetWaitMs);
        return inner.reply(messageId, message, key);
      }),
    patchCard: (messageId, card) =>
      attempt('update card', async () => {
        const wait = (lastPatch.get(messageId) ?? 0) + PATCH_SPACING_MS - Date.now();
        if (wait > 0) await sleep(wait);
        lastPatch.set(messageId, Date.now());
        if (lastPatch.size > 10_000) lastPatch.clear();
        return inner.patchCard(messageId, card);
      }),
    urgent: (messageId, kind, openIds) => attempt(`urgent ${kind}`, () => inner.urgent(messageId, kind, openIds)),
    botOpenId: () => inner.botOpenId(),
    // A war room's few calls: retried like the rest, outside the message budgets (Feishu counts them apart).
    createChat: (chat, key) => attempt('create chat', () => inner.createChat(chat, key)),
    addChatMembers: (chatId, openIds) => attempt('add chat members', () => inner.addChatMembers(chatId, openIds)),
    pinMessage: (messageId) => attempt('pin message', () => inner.pinMessage(messageId)),
  };
}
