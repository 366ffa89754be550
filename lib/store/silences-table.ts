import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Silence, SilenceStore } from '../alerts/silences.js';
import { isConditionFailure, scanItems } from './dynamo.js';

/** An ended silence stays listed for this long (for the record), then DynamoDB's TTL may remove it. */
const ENDED_RETENTION_SECONDS = 30 * 24 * 3600;
const expiresAt = (endsAt: string) => Math.floor(Date.parse(endsAt) / 1000) + ENDED_RETENTION_SECONDS;

/**
 * Silences in their own small table, keyed by id. Listing is a Scan: the table holds only silences of the last
 * month, and the router reads it once per batch, so an index would cost more than it saves.
 */
export function dynamoSilenceStore(db: DynamoDBDocumentClient, tableName: string): SilenceStore {
  return {
    async create(silence) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...silence, expiresAt: expiresAt(silence.endsAt) },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      } catch (error) {
        // The same id again is a redelivered request: the silence exists already.
        if (!isConditionFailure(error)) throw error;
      }
    },
    async list() {
      const items = await scanItems<Silence & { expiresAt?: number }>(
        db,
        { TableName: tableName, ConsistentRead: true },
        Infinity,
      );
      return items.map(({ expiresAt: _ttl, ...silence }) => silence);
    },
    async expire(id, by, at) {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id },
            UpdateExpression: 'SET endsAt = :at, expiredBy = :by, expiresAt = :expiresAt',
            ConditionExpression: 'attribute_exists(id) AND endsAt > :at',
            ExpressionAttributeValues: { ':at': at, ':by': by, ':expiresAt': expiresAt(at) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const { expiresAt: _ttl, ...silence } = result.Attributes as Silence & { expiresAt?: number };
        return silence;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };
}
