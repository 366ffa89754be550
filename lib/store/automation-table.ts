import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AutomationRequest, HealLedger, RequestStore } from '../automation/requests.js';
import { isConditionFailure } from './dynamo.js';

/** Finished requests are kept this long (the audit log keeps the record for good), then TTL may remove them. */
const RETENTION_SECONDS = 90 * 24 * 3600;

/** Automation requests (`request#<id>`) and per-target locks (`lock#<target>`) in one table. */
export function dynamoRequestStore(db: DynamoDBDocumentClient, tableName: string): RequestStore {
  const key = (requestId: string) => ({ pk: `request#${requestId}` });
  const strip = (item: Record<string, unknown> | undefined) => {
    if (!item) return undefined;
    const { pk: _pk, expiresAt: _ttl, ...request } = item;
    return request as unknown as AutomationRequest;
  };
  /** `SET a = :a, b = :b` for the given fields, with names escaped (status and others are reserved words). */
  const assignments = (fields: Record<string, unknown>) => {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    return {
      expression: entries.map((_, i) => `#f${i} = :f${i}`).join(', '),
      names: Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])),
      values: Object.fromEntries(entries.map(([, value], i) => [`:f${i}`, value])),
    };
  };

  return {
    async create(request) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(request.requestId),
              ...request,
              expiresAt: Math.floor(Date.parse(request.requestedAt) / 1000) + RETENTION_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { request, created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return { request: (await this.get(request.requestId)) ?? request, created: false };
      }
    },
    async get(requestId) {
      return strip(
        (await db.send(new GetCommand({ TableName: tableName, Key: key(requestId), ConsistentRead: true }))).Item,
      );
    },
    async transition(requestId, from, to, fields = {}) {
      const set = assignments({ ...fields, status: to });
      const allowed = Array.isArray(from) ? from : [from];
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(requestId),
            UpdateExpression: `SET ${set.expression}`,
            ConditionExpression: `#status IN (${allowed.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: { ...set.names, '#status': 'status' },
            ExpressionAttributeValues: {
              ...set.values,
              ...Object.fromEntries(allowed.map((status, i) => [`:from${i}`, status])),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip(result.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    async update(requestId, fields) {
      const set = assignments(fields);
      if (!set.expression) return;
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(requestId),
          UpdateExpression: `SET ${set.expression}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: set.names,
          ExpressionAttributeValues: set.values,
        }),
      );
    },
    async lockTarget(target, requestId, now, until) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `lock#${target}`, requestId, until, expiresAt: Math.floor(until / 1000) + 3600 },
            // A lock past its time was left by a run that died: it may be taken.
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR requestId = :requestId',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now, ':requestId': requestId },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async unlockTarget(target, requestId) {
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: `lock#${target}` },
            ConditionExpression: 'requestId = :requestId',
            ExpressionAttributeValues: { ':requestId': requestId },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

/**
 * Self-healing run counts in the same table (`heal#<key>`: the run times within the longest window, and a version).
 * All limits are read and judged first; then each is written under its version. A write that loses a race makes the
 * whole claim start again; one that already went through stays counted (over-counting stops runs, never adds them).
 */
export function dynamoHealLedger(db: DynamoDBDocumentClient, tableName: string): HealLedger {
  return {
    async claim(limits, now) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await Promise.all(
          limits.map(async (limit) => {
            const item = (
              await db.send(
                new GetCommand({ TableName: tableName, Key: { pk: `heal#${limit.key}` }, ConsistentRead: true }),
              )
            ).Item;
            const runs = ((item?.runs as number[] | undefined) ?? []).filter((at) => at > now - limit.windowMs);
            return { limit, runs, version: (item?.version as number | undefined) ?? 0 };
          }),
        );
        const reached = current.find(({ limit, runs }) => runs.length >= limit.max);
        if (reached) return { ok: false, limit: reached.limit };
        let raced = false;
        for (const { limit, runs, version } of current) {
          try {
            await db.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  pk: `heal#${limit.key}`,
                  runs: [...runs, now],
                  version: version + 1,
                  expiresAt: Math.floor((now + limit.windowMs) / 1000) + 3600,
                },
                ConditionExpression: 'attribute_not_exists(pk) OR version = :version',
                ExpressionAttributeValues: { ':version': version },
              }),
            );
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
            raced = true;
            break;
          }
        }
        if (!raced) return { ok: true };
      }
      throw new Error('self-healing limits: too much contention to record the run');
    },
  };
}
