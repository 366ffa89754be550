import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes?: Record<string, unknown>;
  eventSourceARN?: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface BatchContext {
  context: Context;
  /** Milliseconds left before Lambda stops this invocation. */
  remainingMs(): number;
}

/**
 * Processes a whole SQS batch at once and reports the records that failed, so SQS redelivers only those
 * (`ReportBatchItemFailures`). The handler returns the message ids that failed; a thrown error fails the whole batch.
 */
export function sqsBatchHandler(
  name: string,
  handle: (records: SqsRecord[], batch: BatchContext) => Promise<Set<string>>,
) {
  const log = logger.child({ function: name });
  return middy<SqsEvent, SqsBatchResult>().handler(async (event, context) => {
    const started = Date.now();
    const batch: BatchContext = {
      context,
      remainingMs: () =>
        typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 60_000,
    };
    try {
      const failed = await handle(event.Records, batch);
      log.info('batch processed', { records: event.Records.length, failed: failed.size, ms: Date.now() - started });
      return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      log.error('batch failed', { records: event.Records.length, error });
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    }
  });
}

/**
 * Runs `work` for every record and collects the ids of those that failed. Records with the same `orderKey`
 * (e.g. one alert's fingerprint) run one after another, in queue order, and after a failure the rest of that key
 * fail too, so a resolution is never applied before the firing it resolves. Different keys run concurrently.
 * Records that arrive when too little time is left are not started, so nothing is half done at the cut-off.
 */
export async function eachRecord<T>(
  records: SqsRecord[],
  batch: BatchContext,
  parse: (record: SqsRecord) => T,
  work: (item: T, record: SqsRecord) => Promise<void>,
  options: { name: string; reserveMs?: number; orderKey?: (item: T) => string },
): Promise<Set<string>> {
  const log = logger.child({ function: options.name });
  const failed = new Set<string>();
  const groups = new Map<string, { item: T; record: SqsRecord }[]>();
  for (const record of records) {
    let item: T;
    try {
      item = parse(record);
    } catch (error) {
      log.error('malformed message', { messageId: record.messageId, error });
      failed.add(record.messageId);
      continue;
    }
    const key = options.orderKey?.(item) ?? record.messageId;
    groups.set(key, [...(groups.get(key) ?? []), { item, record }]);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const { item, record } of group) {
        if (
          group.some((entry) => failed.has(entry.record.messageId)) ||
          batch.remainingMs() < (options.reserveMs ?? 3_000)
        ) {
          failed.add(record.messageId);
          continue;
        }
        try {
          await work(item, record);
        } catch (error) {
          log.error('record failed', {
            messageId: record.messageId,
            receiveCount: record.attributes?.ApproximateReceiveCount,
            error,
          });
          failed.add(record.messageId);
        }
      }
    }),
  );
  return failed;
}
