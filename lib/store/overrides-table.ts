import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OncallOverride, OverrideStore } from '../alerts/overrides.js';
import { isConditionFailure, scanItems } from './dynamo.js';

/** An ended override stays this long (for the record), then DynamoDB's TTL may remove it. */
const ENDED_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * On-call overrides in their own small table, keyed by id. Reading is a Scan, as for silences: the table holds only
 * the last month's, and it is read once per batch.
 */
export function dynamoOverrideStore(db: DynamoDBDocumentClient, tableName: string): OverrideStore {
  return {
    async create(override) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...override, expiresAt: Math.floor(Date.parse(override.to) / 1000) + ENDED_RETENTION_SECONDS },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async current(now) {
      const scan = {
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: '#to > :now',
        ExpressionAttributeNames: { '#to': 'to' },
        ExpressionAttributeValues: { ':now': now },
      };
      const items = await scanItems<OncallOverride & { expiresAt?: number }>(db, scan, Infinity);
      return items.map(({ expiresAt: _ttl, ...override }) => override);
    },
  };
}
