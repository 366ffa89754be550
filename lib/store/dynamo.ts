import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
