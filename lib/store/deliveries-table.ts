import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryLedger } from '../chatops/inbox.js';
import { isConditionFailure } from './dynamo.js';

/** Feishu's retries end after about 7 h 20 min; a day covers them with margin, then TTL may remove the record. */
const RETENTION_SECONDS = 24 * 3600;

/** The delivery ledger in DynamoDB: one item per delivery key, `queuing` under a lease, then `queued`. */
export function dynamoDeliveryLedger(db: DynamoDBDocumentClient, tableName: string): DeliveryLedger {
  return {
    async claim(key, now, leaseMs) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: key,
              state: 'queuing',
              leaseUntil: now + leaseMs,
              expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :queuing AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':queuing': 'queuing', ':now': now },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // AWS returns the refusing item in wire format ({S: …}); without it (dynalite), read it.
        const state = error.Item
          ? (error.Item.state as { S?: string } | undefined)?.S
          : (await db.send(new GetCommand({ TableName: tableName, Key: { pk: key }, ConsistentRead: true }))).Item
              ?.state;
        return state === 'queued' ? 'done' : 'busy';
      }
    },
    async complete(key, now) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: key },
          UpdateExpression: 'SET #state = :queued, queuedAt = :now REMOVE leaseUntil',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':queued': 'queued', ':now': now },
        }),
      );
    },
    async release(key) {
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: key },
            ConditionExpression: '#state = :queuing',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':queuing': 'queuing' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
