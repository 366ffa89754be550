import type { Context } from 'aws-lambda';
import { ExpectedError } from './errors.js';
import { groupBy } from './group-by.js';
import { logger, type Logger } from './logger.js';

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

/** A record whose body passed its zod schema, beside the record it came in. */
export interface ParsedRecord<T> {
  record: SqsRecord;
  item: T;
}

/** An SQS event as the middlewares hand it to a handler (`sqsRecords`). */
export interface ParsedSqsEvent<T> extends SqsEvent {
  parsed: ParsedRecord<T>[];
  /** Message ids of records that were not JSON or failed the schema: reported failed, so they reach the DLQ. */
  malformed: string[];
}

export interface SqsBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What a batch handler returns: the message ids that failed, so SQS redelivers only those. */
export type FailedRecords = Iterable<string>;

/** Milliseconds left before Lambda stops this invocation (a minute when there is no Lambda context). */
export const remainingMs = (context: Context | undefined) =>
  typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 60_000;

/**
 * Runs `work` for every parsed record and returns the message ids of those that failed. Records with the same
 * `orderKey` (e.g. one alert's fingerprint) run one after another, in queue order, and after a failure the rest of
 * that key fail too, so a resolution is never applied before the firing it resolves. Different keys run
 * concurrently. Records that arrive when too little time is left are not started, so nothing is half done at the
 * cut-off.
 */
export async function eachRecord<T>(
  records: ParsedRecord<T>[],
  context: Context | undefined,
  work: (item: T, record: SqsRecord) => Promise<unknown>,
  options: { name: string; reserveMs?: number; orderKey?: (item: T) => string },
): Promise<Set<string>> {
  const log = logger.child({ function: options.name });
  const failed = new Set<string>();
  await Promise.all(
    inOrder(records, options.orderKey).map(async (group) => {
      for (const { item, record } of group) {
        const earlierFailed = group.some((entry) => failed.has(entry.record.messageId));
        if (earlierFailed || remainingMs(context) < (options.reserveMs ?? 3_000)) {
          failed.add(record.messageId);
          continue;
        }
        try {
          await work(item, record);
        } catch (error) {
          failedRecord(log, record, error);
          failed.add(record.messageId);
        }
      }
    }),
  );
  return failed;
}

/**
 * Like eachRecord, but hands `work` the records together, so that they can share writes: in waves, the first record
 * of every `orderKey`, then the second of each, and so on (most batches are one wave). A key's records are in queue
 * order, one per wave, and after a failure the rest of that key fail too. `work` settles each record of a wave on its
 * own, in the order given; a wave is not started when too little time is left.
 */
export async function eachWave<T>(
  records: ParsedRecord<T>[],
  context: Context | undefined,
  work: (items: T[]) => Promise<PromiseSettledResult<unknown>[]>,
  options: { name: string; reserveMs?: number; orderKey: (item: T) => string },
): Promise<Set<string>> {
  const log = logger.child({ function: options.name });
  const failed = new Set<string>();
  const waves: ParsedRecord<T>[][] = [];
  for (const group of inOrder(records, options.orderKey)) {
    group.forEach((entry, wave) => (waves[wave] ??= []).push(entry));
  }
  const failedKeys = new Set<string>();
  for (const wave of waves) {
    const late = remainingMs(context) < (options.reserveMs ?? 3_000);
    const started = wave.filter((entry) => !late && !failedKeys.has(options.orderKey(entry.item)));
    const settled = started.length ? await work(started.map((entry) => entry.item)) : [];
    const fails = (entry: ParsedRecord<T>) => {
      failed.add(entry.record.messageId);
      failedKeys.add(options.orderKey(entry.item));
    };
    wave.filter((entry) => !started.includes(entry)).forEach(fails);
    started.forEach((entry, i) => {
      const result = settled[i]!;
      if (result.status === 'fulfilled') return;
      failedRecord(log, entry.record, result.reason);
      fails(entry);
    });
  }
  return failed;
}

/** The records by `orderKey` (each on its own without one), each key's in queue order. */
const inOrder = <T>(records: ParsedRecord<T>[], orderKey?: (item: T) => string) =>
  groupBy(records, (entry) => orderKey?.(entry.item) ?? entry.record.messageId);

function failedRecord(log: Logger, record: SqsRecord, error: unknown) {
  const receiveCount = record.attributes?.ApproximateReceiveCount;
  // An expected failure (a setting missing, a run still going) is one line; the unforeseen keep their stack.
  const level = error instanceof ExpectedError ? 'warn' : 'error';
  log[level]('record failed', { messageId: record.messageId, receiveCount, error });
}
