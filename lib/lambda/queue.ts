/**
 * A queue of JSON messages. The domains send through this port; the SQS adapter is lib/store/sqs-queue.ts, tests use
 * their own.
 */
export interface Queue<T> {
  /**
   * Sends every message; returns the indexes that could not be sent (after the adapter's own retries).
   * `delaySeconds` (at most 900, SQS's limit) keeps them invisible that long: a timer without a scheduler.
   */
  sendAll(messages: T[], options?: { delaySeconds?: number }): Promise<{ failed: number[]; requests: number }>;
}
