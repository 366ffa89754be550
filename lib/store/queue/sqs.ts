import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { AWS_REQUEST_TIMEOUTS } from '../aws.js';

/** A queue of JSON messages. The domain sends through this; tests and the local runtime swap the adapter. */
export interface Queue<T> {
  /** Sends every message; returns the indexes that could not be sent (after the adapter's own retries). */
  sendAll(messages: T[]): Promise<{ failed: number[]; requests: number }>;
}

/** SQS takes at most 10 entries per SendMessageBatch: the floor of requests is one per 10 messages. */
export const SQS_BATCH = 10;

let client: SQSClient | undefined;
// The queue URL names the queue; the endpoint comes from the SDK config (AWS_ENDPOINT_URL_SQS locally).
export const sqsClient = () => (client ??= new SQSClient({ useQueueUrlAsEndpoint: false, requestHandler: AWS_REQUEST_TIMEOUTS }));

export function sqsQueue<T>(queueUrl: string, sqs: SQSClient = sqsClient(), attempts = 3): Queue<T> {
  return {
    async sendAll(messages) {
      const failed: number[] = [];
      let requests = 0;
      for (let start = 0; start < messages.length; start += SQS_BATCH) {
        let pending = messages.slice(start, start + SQS_BATCH).map((message, offset) => ({ index: start + offset, message }));
        for (let attempt = 1; attempt <= attempts && pending.length; attempt++) {
          requests++;
          try {
            const result = await sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: pending.map(({ index, message }) => ({ Id: String(index), MessageBody: JSON.stringify(message) })),
              }),
            );
            // Only entries SQS reported as failed are retried; the rest are already queued.
            const retry = new Set((result.Failed ?? []).filter((entry) => !entry.SenderFault).map((entry) => entry.Id));
            const senderFault = (result.Failed ?? []).filter((entry) => entry.SenderFault).map((entry) => Number(entry.Id));
            failed.push(...senderFault);
            pending = pending.filter(({ index }) => retry.has(String(index)));
          } catch {
            // A transport error leaves the whole chunk pending: retried here, reported as failed after the last attempt.
          }
          if (pending.length && attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        }
        failed.push(...pending.map(({ index }) => index));
      }
      return { failed, requests };
    },
  };
}
