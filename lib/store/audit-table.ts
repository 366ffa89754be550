import {
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditRecord, AuditStore } from '../automation/audit.js';
import { isConditionFailure } from './dynamo.js';

const CHAIN = 'chain';
const HEAD = { pk: 'head', seq: 0 };

/**
 * The audit chain in DynamoDB: records under `pk = chain`, ordered by `seq`, written only where the number is free
 * (nothing here updates or deletes a record; the IAM role of the writers has no right to either), and a head item
 * that points at the last record.
 */
export function dynamoAuditStore(db: DynamoDBDocumentClient, tableName: string): AuditStore {
  const strip = (item: Record<string, unknown>) => {
    const { pk: _pk, ...record } = item;
    return record as unknown as AuditRecord;
  };
  return {
    async head() {
      const item = (await db.send(new GetCommand({ TableName: tableName, Key: HEAD, ConsistentRead: true }))).Item;
      return item ? { seq: item.lastSeq as number, hash: item.lastHash as string } : undefined;
    },
    async get(seq) {
      const item = (
        await db.send(new GetCommand({ TableName: tableName, Key: { pk: CHAIN, seq }, ConsistentRead: true }))
      ).Item;
      return item ? strip(item) : undefined;
    },
    async put(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: CHAIN, ...record },
            ConditionExpression: 'attribute_not_exists(seq)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async advanceHead(seq, hash) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: HEAD,
            UpdateExpression: 'SET lastSeq = :seq, lastHash = :hash',
            ConditionExpression: 'attribute_not_exists(lastSeq) OR lastSeq < :seq',
            ExpressionAttributeValues: { ':seq': seq, ':hash': hash },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // a later append moved it further already
      }
    },
    async *records() {
      const chain = {
        TableName: tableName,
        KeyConditionExpression: 'pk = :chain',
        ExpressionAttributeValues: { ':chain': CHAIN },
        ConsistentRead: true,
      };
      for await (const page of paginateQuery({ client: db }, chain))
        for (const item of page.Items ?? []) yield strip(item);
    },
  };
}
