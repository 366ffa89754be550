import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type BatchGetCommandOutput,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AWS_REQUEST_TIMEOUTS } from './aws.js';

let client: DynamoDBDocumentClient | undefined;

/** One document client per process; the endpoint comes from the SDK's own AWS_ENDPOINT_URL_DYNAMODB when set. */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: AWS_REQUEST_TIMEOUTS }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}

export const isConditionFailure = (error: unknown): error is { name: string; Item?: Record<string, unknown> } =>
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** A query's items (as `T`), page after page, until `limit` are found or `maxPages` pages were read. */
export const queryItems = <T = Record<string, unknown>>(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
  maxPages = Infinity,
) => collect<T>(paginateQuery({ client: db }, input), limit, maxPages);

/** A scan's items (as `T`), page after page, until `limit` are found or `maxPages` pages were read. */
export const scanItems = <T = Record<string, unknown>>(
  db: DynamoDBDocumentClient,
  input: ScanCommandInput,
  limit: number,
  maxPages = Infinity,
) => collect<T>(paginateScan({ client: db }, input), limit, maxPages);

async function collect<T>(
  pages: AsyncIterable<{ Items?: Record<string, unknown>[] }>,
  limit: number,
  maxPages: number,
): Promise<T[]> {
  const items: T[] = [];
  let read = 0;
  for await (const page of pages) {
    items.push(...((page.Items ?? []) as T[]));
    if (++read >= maxPages || items.length >= limit) break;
  }
  return items.slice(0, limit);
}

/** BatchGetItem takes at most this many keys a request. */
const BATCH_GET_KEYS = 100;
const MAX_BATCH_GET_ATTEMPTS = 6;

/**
 * The items of `keys` (all of one hash key attribute, `keyName`), in the order of the keys; a key with no item is left
 * out. What an index holds only the keys of is read whole this way.
 */
export async function batchGetItems<T = Record<string, unknown>>(
  db: DynamoDBDocumentClient,
  tableName: string,
  keyName: string,
  keys: string[],
  consistent = false,
): Promise<T[]> {
  const found = new Map<unknown, Record<string, unknown>>();
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys
      .slice(start, start + BATCH_GET_KEYS)
      .map((key) => ({ [keyName]: key }));
    // DynamoDB may leave some keys unread under load: ask again for those, backing off a little each time.
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt === MAX_BATCH_GET_ATTEMPTS) throw new Error(`${pending.length} keys of ${tableName} left unread`);
      if (attempt) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const answer: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }),
      );
      for (const item of answer.Responses?.[tableName] ?? []) found.set(item[keyName], item);
      pending = answer.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return keys.flatMap((key) => (found.has(key) ? [found.get(key) as T] : []));
}
