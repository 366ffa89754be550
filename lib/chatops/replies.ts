import type { CardActionAnswer } from '../feishu/events.js';
import type { OutgoingMessage } from '../feishu/messenger.js';
import { ExpectedError } from '../lambda/errors.js';
import type { Logger } from '../lambda/logger.js';
import { UsageError } from './usage.js';

/*
 * The one place where a failure becomes words in Feishu. A usage error says what was wrong and how to type it, and an
 * expected failure (a missing setting, a target out of reach) says its Chinese message at once; any other failure of
 * a command is retried (SQS redelivers it) and, after a few tries, answered in the chat so nobody waits for a reply
 * that will not come; a failed click, which Feishu never retries, says so in a toast. The English detail and any
 * stack trace stay in the log.
 */

/** After this many deliveries an unexpected failure is answered in the chat instead of retried again. */
export const ANSWER_FAILURE_AFTER_ATTEMPTS = 3;

/** The reply to a command that failed, or undefined when the failure should be retried. */
export function commandFailureReply(
  error: unknown,
  command: string,
  attempt: number,
  log: Logger,
): OutgoingMessage | undefined {
  if (error instanceof UsageError) return { kind: 'text', text: `${error.message}。\n用法：${error.usage}` };
  if (error instanceof ExpectedError) {
    log.warn('command refused', { error });
    return { kind: 'text', text: `无法执行 /${command}：${error.userMessage}` };
  }
  if (attempt < ANSWER_FAILURE_AFTER_ATTEMPTS) return undefined;
  log.error('command failed; answered in chat', { attempt, error });
  return {
    kind: 'text',
    text: `执行 /${command} 出错，已重试 ${attempt} 次。请稍后再试；如持续出错，请联系平台管理员查看日志。`,
  };
}

/** The answer to a card click that failed: the person who clicked is told in words, not with Feishu's generic error. */
export function clickFailureAnswer(error: unknown, eventId: string, log: Logger): CardActionAnswer {
  if (error instanceof ExpectedError) {
    log.warn('card action refused', { eventId, error });
    return { toast: { type: 'error', content: error.userMessage } };
  }
  log.error('card action failed', { eventId, error });
  return { toast: { type: 'error', content: '操作失败，请稍后重试；如持续失败请联系平台管理员' } };
}
