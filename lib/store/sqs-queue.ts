import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Queue } from '../lambda/queue.js';
import { AWS_REQUEST_TIMEOUTS } from './aws.js';

/** SQS takes at most 10 entries per SendMessageBatch: the floor of requests is one per 10 messages. */
export const SQS_BATCH = 10;
/** And at most 256 KiB per request, all entries together; keep a margin for the request's own framing. */
export const SQS_BATCH_BYTES = 240 * 1024;

/** Consecutive chunks of at most 10 messages and SQS_BATCH_BYTES bytes (a single larger message goes alone). */
function chunks(bodies: { index: number; body: string }[]) {
  const result: (typeof bodies)[] = [];
  let current: typeof bodies = [];
  let bytes = 0;
  for (const entry of bodies) {
    const size = Buffer.byteLength(entry.body);
    if (current.length && (current.length === SQS_BATCH || bytes + size > SQS_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) result.push(current);
  return result;
}

/**
 * JSON with every character outside the Basic Multilingual Plane written as its `\\uD83D\\uDE00` escape pair.
 * JSON.parse reads it back unchanged; SQS-compatible servers that accept only U+0000–U+FFFD in a body (fauxqs does,
 * where SQS itself takes all of Unicode) then take an emoji in a summary or a chat message too.
 */
const queueBody = (message: unknown) =>
  JSON.stringify(message).replace(
    /[\u{10000}-\u{10FFFF}]/gu,
    (pair) => `\\u${pair.charCodeAt(0).toString(16)}\\u${pair.charCodeAt(1).toString(16)}`,
  );

let client: SQSClient | undefined;
// The queue URL names the queue; the endpoint comes from the SDK config (AWS_ENDPOINT_URL_SQS locally).
export const sqsClient = () =>
  (client ??= new SQSClient({ useQueueUrlAsEndpoint: false, requestHandler: AWS_REQUEST_TIMEOUTS }));

export function sqsQueue<T>(queueUrl: string, sqs: SQSClient = sqsClient(), attempts = 3): Queue<T> {
  return {
    async sendAll(messages, options = {}) {
      const delay =
        options.delaySeconds === undefined
          ? {}
          : { DelaySeconds: Math.max(0, Math.min(900, Math.round(options.delaySeconds))) };
      const failed: number[] = [];
      let requests = 0;
      for (const chunk of chunks(messages.map((message, index) => ({ index, body: queueBody(message) })))) {
        let pending = chunk;
        for (let attempt = 1; attempt <= attempts && pending.length; attempt++) {
          requests++;
          try {
            const result = await sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: pending.map(({ index, body }) => ({ Id: String(index), MessageBody: body, ...delay })),
              }),
            );
            // Only entries SQS reported as failed are retried; the rest are already queued.
            const retry = new Set((result.Failed ?? []).filter((entry) => !entry.SenderFault).map((entry) => entry.Id));
            const senderFault = (result.Failed ?? [])
              .filter((entry) => entry.SenderFault)
              .map((entry) => Number(entry.Id));
            failed.push(...senderFault);
            pending = pending.filter(({ index }) => retry.has(String(index)));
          } catch {
            // A transport error leaves the whole chunk pending: retried here, reported as failed after the last
            // attempt.
          }
          if (pending.length && attempt < attempts)
            await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        }
        failed.push(...pending.map(({ index }) => index));
      }
      return { failed, requests };
    },
  };
}
