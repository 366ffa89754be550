import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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
export async function queryItems<T = Record<string, unknown>>(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  limit: number,
  maxPages = Infinity,
): Promise<T[]> {
  const items: T[] = [];
  let pages = 0;
  for await (const page of paginateQuery({ client: db }, input)) {
    items.push(...((page.Items ?? []) as T[]));
    if (++pages >= maxPages || items.length >= limit) break;
  }
  return items.slice(0, limit);
}
