import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../alerts/model.js';
import type { AlertRepository, StoredAlert, TimelineEntry } from '../alerts/store.js';
import { isConditionFailure } from './dynamo.js';

/** Resolved alerts are kept this long, then DynamoDB's TTL may remove them. */
const RESOLVED_RETENTION_SECONDS = 90 * 24 * 3600;

const alertKey = (alertId: string) => ({ pk: `alert#${alertId}` });
const latestKey = (fingerprint: string) => ({ pk: `latest#${fingerprint}` });

/**
 * Alerts in one table: `alert#<id>` holds the alert, `latest#<fingerprint>` points at the fingerprint's newest alert.
 * Every state change is a conditional update, so concurrent or repeated deliveries cannot undo each other.
 */
export function dynamoAlertRepository(db: DynamoDBDocumentClient, tableName: string): AlertRepository {
  const get = async (alertId: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: alertKey(alertId), ConsistentRead: true }))).Item as StoredAlert | undefined;

  const conditional = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  const update = (alertId: string, expression: string, values: Record<string, unknown>, names: Record<string, string> = {}, condition?: string) =>
    conditional(async () => {
      const result = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: alertKey(alertId),
          UpdateExpression: expression,
          ConditionExpression: condition ?? 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as StoredAlert;
    });

  return {
    async latest(fingerprint) {
      const pointer = (await db.send(new GetCommand({ TableName: tableName, Key: latestKey(fingerprint), ConsistentRead: true }))).Item;
      return pointer ? get(pointer.alertId as string) : undefined;
    },

    async create(alert) {
      const created = await conditional(() =>
        db.send(new PutCommand({ TableName: tableName, Item: { ...alertKey(alert.alertId), ...alert }, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      const stored = created ? alert : ((await get(alert.alertId)) ?? alert);
      await db.send(new PutCommand({ TableName: tableName, Item: { ...latestKey(alert.fingerprint), alertId: alert.alertId } }));
      return stored;
    },

    applyRepeat: (alertId, alert: Alert, count, at, entry) =>
      update(
        alertId,
        `SET #alert = :alert, lastSeenAt = :at, #count = :count, lastEventId = :eventId${entry ? ', timeline = list_append(timeline, :entries)' : ''}`,
        { ':alert': alert, ':at': at, ':count': count, ':eventId': alert.eventId, ':firing': 'firing', ...(entry ? { ':entries': [entry] } : {}) },
        { '#alert': 'alert', '#count': 'count', '#status': 'status' },
        '#status = :firing AND lastEventId <> :eventId',
      ),

    resolve: (alertId, alert: Alert, count, entry) =>
      update(
        alertId,
        'SET #status = :resolved, resolvedAt = :resolvedAt, lastSeenAt = :at, #alert.endsAt = :resolvedAt, #count = :count, ' +
          'lastEventId = :eventId, timeline = list_append(timeline, :entries), expiresAt = :expiresAt',
        {
          ':resolved': 'resolved',
          ':firing': 'firing',
          ':resolvedAt': alert.endsAt ?? entry.at,
          ':at': entry.at,
          ':count': count,
          ':eventId': alert.eventId,
          ':entries': [entry],
          ':expiresAt': Math.floor(Date.parse(entry.at) / 1000) + RESOLVED_RETENTION_SECONDS,
        },
        { '#status': 'status', '#alert': 'alert', '#count': 'count' },
        '#status = :firing',
      ),

    async recordNotification(alertId, targetKey, messageId, entry) {
      await update(alertId, 'SET notifications.#target = :messageId, timeline = list_append(timeline, :entries)', { ':messageId': messageId, ':entries': [entry] }, { '#target': targetKey });
    },

    async claimPage(alertId, now, until) {
      return Boolean(
        await update(
          alertId,
          'SET pageLeaseUntil = :until',
          { ':until': until, ':now': now },
          {},
          'attribute_exists(pk) AND attribute_not_exists(pagedAt) AND (attribute_not_exists(pageLeaseUntil) OR pageLeaseUntil < :now)',
        ),
      );
    },

    async recordPaged(alertId, at, entries) {
      await update(alertId, 'SET pagedAt = :at, timeline = list_append(timeline, :entries) REMOVE pageLeaseUntil', { ':at': at, ':entries': entries });
    },

    async releasePage(alertId) {
      await db.send(new UpdateCommand({ TableName: tableName, Key: alertKey(alertId), UpdateExpression: 'REMOVE pageLeaseUntil' }));
    },

    async appendTimeline(alertId, entries: TimelineEntry[]) {
      if (entries.length) await update(alertId, 'SET timeline = list_append(timeline, :entries)', { ':entries': entries });
    },
  };
}
