import { createRequire } from 'node:module';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../../lib/store/dynamo.js';
import { sqsClient } from '../../lib/store/sqs-queue.js';

/** dynalite's own item size, by DynamoDB's rules (attribute names and values, in bytes). */
const { itemSize } = createRequire(import.meta.url)('dynalite/db/index.js') as {
  itemSize: (item: Record<string, AttributeValue>) => number;
};

type Item = Record<string, AttributeValue>;
interface KeyElement {
  AttributeName: string;
}
interface IndexDefinition {
  IndexName: string;
  KeySchema: KeyElement[];
  Projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
}
/** A table as its CloudFormation resource describes it. */
export interface TableDefinition {
  TableName: string;
  KeySchema: KeyElement[];
  GlobalSecondaryIndexes?: IndexDefinition[];
}

/** An item's size in bytes, as DynamoDB counts it for capacity and storage. */
export const itemBytes = (item: Item) => itemSize(item);
/** Write request units for an item of this size: one per KB started, at least one. */
const writeUnits = (item: Item | undefined) => Math.max(1, Math.ceil((item ? itemSize(item) : 0) / 1024));

/** A client of the local DynamoDB stand-in that nothing counts: for reading items aside. */
export const uncountedDynamo = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
const canonical = (value: unknown): string =>
  value && typeof value === 'object'
    ? Array.isArray(value)
      ? `[${value.map(canonical).join(',')}]`
      : `{${Object.keys(value)
          .sort()
          .map((key) => `${key}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(',')}}`
    : JSON.stringify(value);

/** What an index holds of an item: its projected attributes, or nothing when the item lacks the index's keys. */
export function indexEntry(table: TableDefinition, index: IndexDefinition, item: Item | undefined): Item | undefined {
  if (!item || !index.KeySchema.every((key) => item[key.AttributeName])) return undefined;
  if (index.Projection.ProjectionType === 'ALL') return item;
  const kept = [...table.KeySchema, ...index.KeySchema]
    .map((key) => key.AttributeName)
    .concat(index.Projection.NonKeyAttributes ?? []);
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.includes(name)));
}

/**
 * What one write costs a global secondary index, by DynamoDB's rules: putting an item into it, or deleting one, is a
 * write of the projected item's size; an update that changes an index key is a delete and a put; one that changes
 * only projected attributes is one write; one that changes nothing projected costs the index nothing.
 */
export function indexWriteUnits(
  table: TableDefinition,
  index: IndexDefinition,
  before: Item | undefined,
  after: Item | undefined,
): number {
  const old = indexEntry(table, index, before);
  const now = indexEntry(table, index, after);
  if (!old && !now) return 0;
  if (!old || !now) return writeUnits(old ?? now);
  const keyChanged = index.KeySchema.some(
    (key) => canonical(before![key.AttributeName]) !== canonical(after![key.AttributeName]),
  );
  if (keyChanged) return writeUnits(old) + writeUnits(now);
  return canonical(old) === canonical(now) ? 0 : Math.max(writeUnits(old), writeUnits(now));
}

export interface CallCounts {
  /** DynamoDB write requests per table. */
  writes: Record<string, number>;
  /** SQS send requests per queue (a batch of up to 10 is one request). */
  sqsSends: Record<string, number>;
}

export interface BilledCounts extends CallCounts {
  /** Request units per table as DynamoDB bills them: the table's writes, its indexes' writes, and reads. */
  writeUnits: Record<string, number>;
  indexWriteUnits: Record<string, number>;
  readUnits: Record<string, number>;
  /** SQS requests as billed: each 64 KB of a request's payload counts as one. */
  sqsBilled: Record<string, number>;
  /** Hops that wakeups queued for later than SQS's 15-minute delay still have to make (each a send and a receive). */
  futureTimerHops: number;
}

const queueName = (url: unknown) => String(url).split('/').pop()!;

/**
 * Counts what the functions ask of AWS at the SDK clients they share in this process (the local runtime runs them
 * here): DynamoDB writes per table and SQS sends per queue.
 */
export function countCalls(): CallCounts {
  const counts: CallCounts = { writes: {}, sqsSends: {} };
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(context.commandName ?? '')) {
        const table = (args.input as { TableName?: string }).TableName ?? '?';
        counts.writes[table] = (counts.writes[table] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountWrites' },
  );
  sqsClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (/^Send/.test(context.commandName ?? '')) {
        const queue = queueName((args.input as { QueueUrl?: string }).QueueUrl);
        counts.sqsSends[queue] = (counts.sqsSends[queue] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountSends' },
  );
  return counts;
}

/**
 * The counts of countCalls, and what AWS would bill for them: the capacity each DynamoDB request consumed (dynalite
 * reports it from the real item sizes, as DynamoDB does), the index writes each write makes (from the item before and
 * after it), the 64 KB chunks of every SQS send, and the hops still ahead of far-off timers.
 */
export function countBilled(tables: TableDefinition[], dynamoEndpoint: string): BilledCounts {
  const counts: BilledCounts = {
    ...countCalls(),
    writeUnits: {},
    indexWriteUnits: {},
    readUnits: {},
    sqsBilled: {},
    futureTimerHops: 0,
  };
  const add = (into: Record<string, number>, table: string, units: number) =>
    void (into[table] = (into[table] ?? 0) + units);
  const aside = uncountedDynamo(dynamoEndpoint);
  const byName = new Map(tables.map((table) => [table.TableName, table]));
  // Every write goes through this client, so the item before a write is the one the last write left (none at first).
  const known = new Map<string, Item | undefined>();
  const consumedUnits = (output: unknown) =>
    (output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits;

  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      const table = byName.get(input.TableName);
      const command = context.commandName ?? '';
      if (!table || /^Batch|^Transact/.test(command)) return next(args);
      input.ReturnConsumedCapacity = 'TOTAL';
      if (!/^(Put|Update|Delete)/.test(command)) {
        const result = await next(args);
        add(counts.readUnits, table.TableName, consumedUnits(result.output) ?? 0);
        return result;
      }
      const source = (input.Item ?? input.Key) as Record<string, unknown>;
      const key = Object.fromEntries(
        table.KeySchema.map(({ AttributeName }) => [AttributeName, source[AttributeName]]),
      );
      const id = `${table.TableName}|${canonical(key)}`;
      const before = known.get(id);
      // The item after an update, from the update's own answer; the caller sees the answer it asked for.
      const asked = input.ReturnValues ?? 'NONE';
      if (/^Update/.test(command) && asked === 'NONE') input.ReturnValues = 'ALL_NEW';
      try {
        const result = await next(args);
        const output = result.output as { Attributes?: Record<string, unknown> };
        const after = /^Put/.test(command)
          ? marshall(input.Item, { removeUndefinedValues: true })
          : /^Delete/.test(command)
            ? undefined
            : input.ReturnValues === 'ALL_NEW'
              ? marshall(output.Attributes ?? {}, { removeUndefinedValues: true })
              : (
                  await aside.send(
                    new GetItemCommand({ TableName: table.TableName, Key: marshall(key), ConsistentRead: true }),
                  )
                ).Item;
        if (asked === 'NONE') delete output.Attributes;
        known.set(id, after);
        add(counts.writeUnits, table.TableName, consumedUnits(result.output) ?? writeUnits(before));
        for (const index of table.GlobalSecondaryIndexes ?? [])
          add(counts.indexWriteUnits, table.TableName, indexWriteUnits(table, index, before, after));
        return result;
      } catch (error) {
        // A condition that fails still costs the write, by the size of the item it was checked against.
        if ((error as Error).name === 'ConditionalCheckFailedException')
          add(counts.writeUnits, table.TableName, writeUnits(before));
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCountCapacity' },
  );

  sqsClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (/^Send/.test(context.commandName ?? '')) {
        const input = args.input as { QueueUrl?: string; Entries?: { MessageBody?: string; DelaySeconds?: number }[] };
        const entries = input.Entries ?? [args.input as { MessageBody?: string; DelaySeconds?: number }];
        const bytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0);
        add(counts.sqsBilled, queueName(input.QueueUrl), Math.max(1, Math.ceil(bytes / 65_536)));
        for (const entry of entries) {
          // A wakeup for later than 15 minutes is sent on again when it arrives early, until its time.
          const at = Date.parse((JSON.parse(entry.MessageBody ?? '{}') as { at?: string }).at ?? '');
          if (entry.DelaySeconds === 900 && at)
            counts.futureTimerHops += Math.max(0, Math.ceil((at - Date.now()) / 900_000) - 1);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountBilledSends' },
  );
  return counts;
}
