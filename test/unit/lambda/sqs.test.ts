import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { partialBatchFailures } from '../../../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../../../lib/lambda/middlewares/sqs-records.js';
import {
  eachRecord,
  eachWave,
  type FailedRecords,
  type ParsedRecord,
  type ParsedSqsEvent,
  type SqsBatchResult,
  type SqsEvent,
  type SqsRecord,
} from '../../../lib/lambda/sqs.js';

const record = (id: string, body: unknown): SqsRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1' },
});
const lambda = (remainingMs = 60_000) =>
  ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

const task = z.object({ key: z.string(), n: z.number() });
type Task = z.infer<typeof task>;
const parsed = (tasks: (Task & { id: string })[]): ParsedRecord<Task>[] =>
  tasks.map(({ id, ...item }) => ({ record: record(id, item), item }));

describe('SQS middlewares', () => {
  const consumer = (handle: (event: ParsedSqsEvent<Task>) => Promise<FailedRecords>) =>
    middy<ParsedSqsEvent<Task>, FailedRecords>()
      .use(partialBatchFailures())
      .use(sqsRecords('test', task))
      .handler(handle) as unknown as (event: SqsEvent, context: Context) => Promise<SqsBatchResult>;

  it('hand the handler parsed records and report the malformed ones failed, so they reach the DLQ', async () => {
    let seen: ParsedRecord<Task>[] = [];
    const handler = consumer(async (event) => ((seen = event.parsed), []));
    const result = await handler(
      { Records: [record('good', { key: 'a', n: 1 }), record('not-json', '{"key":'), record('bad', { key: 'a' })] },
      lambda(),
    );
    expect(seen.map(({ record, item }) => [record.messageId, item])).toEqual([['good', { key: 'a', n: 1 }]]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'not-json' }, { itemIdentifier: 'bad' }] });
  });

  it('report the records the handler says failed, each once', async () => {
    const handler = consumer(async () => new Set(['m2', 'm2']));
    const result = await handler(
      { Records: [record('m1', { key: 'a', n: 1 }), record('m2', { key: 'b', n: 2 })] },
      lambda(),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  it('fail the whole batch when the handler throws, so nothing is lost', async () => {
    const handler = consumer(async () => {
      throw new Error('table unreachable');
    });
    const result = await handler({ Records: [record('m1', { key: 'a', n: 1 }), record('m2', '{')] }, lambda());
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });
});

describe('eachRecord', () => {
  it('runs one key in queue order, different keys at once', async () => {
    const log: string[] = [];
    const gate = { open: () => undefined as void };
    const opened = new Promise<void>((resolve) => (gate.open = resolve));
    const records = parsed([
      { id: 'a1', key: 'a', n: 1 },
      { id: 'b1', key: 'b', n: 1 },
      { id: 'a2', key: 'a', n: 2 },
    ]);
    const failed = await eachRecord(
      records,
      lambda(),
      async (item) => {
        log.push(`start ${item.key}${item.n}`);
        // a1 waits for b1: only possible if different keys run concurrently.
        if (item.key === 'a' && item.n === 1) await opened;
        if (item.key === 'b') gate.open();
        log.push(`end ${item.key}${item.n}`);
      },
      { name: 'test', orderKey: (item) => item.key },
    );
    expect(failed).toEqual(new Set());
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('fails the rest of a key after a failure, so a resolution never overtakes its firing', async () => {
    const ran: string[] = [];
    const failed = await eachRecord(
      parsed([
        { id: 'a1', key: 'a', n: 1 },
        { id: 'a2', key: 'a', n: 2 },
        { id: 'b1', key: 'b', n: 1 },
      ]),
      lambda(),
      async (item, record) => {
        ran.push(record.messageId);
        if (record.messageId === 'a1') throw new Error('Feishu 500');
      },
      { name: 'test', orderKey: (item) => item.key },
    );
    expect(failed).toEqual(new Set(['a1', 'a2']));
    expect(ran.sort()).toEqual(['a1', 'b1']);
  });

  it('does not start records when too little time is left, so nothing is half done at the cut-off', async () => {
    const ran: string[] = [];
    const failed = await eachRecord(
      parsed([{ id: 'late', key: 'a', n: 1 }]),
      lambda(2_000),
      async (_, record) => void ran.push(record.messageId),
      { name: 'test', reserveMs: 5_000 },
    );
    expect(ran).toEqual([]);
    expect(failed).toEqual(new Set(['late']));
  });
});

describe('eachWave', () => {
  /** Runs the records in waves, failing the named ones: the waves as work saw them, and what failed. */
  const run = async (records: (Task & { id: string })[], failing: string[] = []) => {
    const waves: string[][] = [];
    const failed = await eachWave(
      parsed(records),
      lambda(),
      async (items) => {
        const names = items.map((item) => `${item.key}${item.n}`);
        waves.push(names);
        return names.map((name): PromiseSettledResult<unknown> =>
          failing.includes(name)
            ? { status: 'rejected', reason: new Error('incident write failed') }
            : { status: 'fulfilled', value: undefined },
        );
      },
      { name: 'test', orderKey: (item) => item.key },
    );
    return { waves, failed };
  };

  it('hands over the records together, one of each key per wave, each key in queue order', async () => {
    const { waves, failed } = await run([
      { id: 'a1', key: 'a', n: 1 },
      { id: 'b1', key: 'b', n: 1 },
      { id: 'a2', key: 'a', n: 2 },
      { id: 'c1', key: 'c', n: 1 },
    ]);
    expect(waves).toEqual([['a1', 'b1', 'c1'], ['a2']]);
    expect(failed).toEqual(new Set());
  });

  it('fails only the records work says failed, and the rest of their keys', async () => {
    const { waves, failed } = await run(
      [
        { id: 'a1', key: 'a', n: 1 },
        { id: 'b1', key: 'b', n: 1 },
        { id: 'a2', key: 'a', n: 2 },
        { id: 'b2', key: 'b', n: 2 },
      ],
      ['a1'],
    );
    expect(waves).toEqual([['a1', 'b1'], ['b2']]);
    expect(failed).toEqual(new Set(['a1', 'a2']));
  });

  it('does not start a wave when too little time is left', async () => {
    const failed = await eachWave(
      parsed([{ id: 'late', key: 'a', n: 1 }]),
      lambda(2_000),
      async () => {
        throw new Error('not started');
      },
      { name: 'test', reserveMs: 5_000, orderKey: (item) => item.key },
    );
    expect(failed).toEqual(new Set(['late']));
  });
});
