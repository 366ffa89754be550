import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../alerts/model.js';
import type { AlertRepository, ChangeResult, StoredAlert, TimelineEntry } from '../alerts/repository.js';
import { isConditionFailure, queryItems } from './dynamo.js';

/** Resolved alerts are kept this long, then DynamoDB's TTL may remove them. */
const RESOLVED_RETENTION_SECONDS = 90 * 24 * 3600;

/** The sparse index of alerts by state (pointer items have no status), newest first by lastSeenAt. */
export const ALERTS_BY_STATUS_INDEX = 'byStatus';
/**
 * The sparse index of firing alerts by name (`firingName` is set while an alert fires): inhibition reads the firing
 * alerts of its source names only, not every firing alert, which in a storm would be thousands per batch.
 */
export const FIRING_BY_NAME_INDEX = 'byFiringName';
/** A filtered listing reads at most this many pages: a bounded cost for `/status` on a large history. */
const MAX_LIST_PAGES = 5;

const alertKey = (alertId: string) => ({ pk: `alert#${alertId}` });
const latestKey = (fingerprint: string) => ({ pk: `latest#${fingerprint}` });

/**
 * Alerts in one table: `alert#<id>` holds the alert, `latest#<fingerprint>` points at the fingerprint's newest alert.
 * Every state change is a conditional update, so concurrent or repeated deliveries cannot undo each other.
 */
export function dynamoAlertRepository(db: DynamoDBDocumentClient, tableName: string): AlertRepository {
  const get = async (alertId: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: alertKey(alertId), ConsistentRead: true }))).Item as
      StoredAlert | undefined;

  const conditional = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };

  const update = (
    alertId: string,
    expression: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
    condition?: string,
  ) =>
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

  /** A conditional change several people may race for: the loser gets the alert as the winner left it. */
  const change = async (alertId: string, run: () => Promise<StoredAlert | undefined>): Promise<ChangeResult> => {
    const stored = await run();
    return stored ? { changed: true, stored } : { changed: false, stored: await get(alertId) };
  };

  return {
    get,

    async list(status, { limit, service }) {
      const query = {
        TableName: tableName,
        IndexName: ALERTS_BY_STATUS_INDEX,
        KeyConditionExpression: '#status = :status',
        ScanIndexForward: false,
        Limit: service ? 100 : limit,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...(service ? { '#alert': 'alert', '#service': 'service' } : {}),
        },
        ExpressionAttributeValues: { ':status': status, ...(service ? { ':service': service } : {}) },
        ...(service ? { FilterExpression: '#alert.#service = :service' } : {}),
      };
      return queryItems<StoredAlert>(db, query, limit, MAX_LIST_PAGES);
    },

    async firingAlerts(limit, names) {
      // By name when the rules name their sources: a query per name on the sparse index, newest first.
      const queries = names?.length
        ? names.map((name) => ({
            IndexName: FIRING_BY_NAME_INDEX,
            KeyConditionExpression: 'firingName = :name',
            ExpressionAttributeValues: { ':name': name },
          }))
        : [
            {
              IndexName: ALERTS_BY_STATUS_INDEX,
              KeyConditionExpression: '#status = :firing',
              ExpressionAttributeValues: { ':firing': 'firing' },
            },
          ];
      const found: Alert[] = [];
      for (const query of queries) {
        if (found.length >= limit) break;
        const input = {
          TableName: tableName,
          ...query,
          ExpressionAttributeNames: {
            '#alert': 'alert',
            ...(query.IndexName === ALERTS_BY_STATUS_INDEX ? { '#status': 'status' } : {}),
          },
          // Only the event: the timeline and notifications are most of an item and inhibition needs neither.
          ProjectionExpression: '#alert',
          ScanIndexForward: false,
          Limit: limit - found.length,
        };
        const items = await queryItems<{ alert: Alert }>(db, input, limit - found.length);
        found.push(...items.map((item) => item.alert));
      }
      return found;
    },

    async latest(fingerprint) {
      const pointer = (
        await db.send(new GetCommand({ TableName: tableName, Key: latestKey(fingerprint), ConsistentRead: true }))
      ).Item;
      return pointer ? get(pointer.alertId as string) : undefined;
    },

    async create(alert) {
      const created = await conditional(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...alertKey(alert.alertId),
              ...alert,
              ...(alert.status === 'firing' ? { firingName: alert.alert.name } : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      const stored = created ? alert : ((await get(alert.alertId)) ?? alert);
      await db.send(
        new PutCommand({ TableName: tableName, Item: { ...latestKey(alert.fingerprint), alertId: alert.alertId } }),
      );
      return stored;
    },

    applyRepeat: (alertId, alert: Alert, count, at, entries) =>
      update(
        alertId,
        // firingName too: an alert stored before the index existed joins it on its next repeat.
        'SET #alert = :alert, lastSeenAt = :at, #count = :count, lastEventId = :eventId, firingName = :name' +
          (entries.length ? ', timeline = list_append(timeline, :entries)' : ''),
        {
          ':alert': alert,
          ':name': alert.name,
          ':at': at,
          ':count': count,
          ':eventId': alert.eventId,
          ':firing': 'firing',
          ...(entries.length ? { ':entries': entries } : {}),
        },
        { '#alert': 'alert', '#count': 'count', '#status': 'status' },
        '#status = :firing AND lastEventId <> :eventId',
      ),

    resolve: (alertId, alert: Alert, count, entry) =>
      update(
        alertId,
        'SET #status = :resolved, resolvedAt = :resolvedAt, lastSeenAt = :at, #alert.endsAt = :resolvedAt, ' +
          '#count = :count, lastEventId = :eventId, timeline = list_append(timeline, :entries), expiresAt = :expiresAt ' +
          'REMOVE firingName',
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

    async appendTimeline(alertId, entries: TimelineEntry[]) {
      if (entries.length)
        await update(alertId, 'SET timeline = list_append(timeline, :entries)', { ':entries': entries });
    },

    resolveByHand: (alertId, by, note, entry) =>
      change(alertId, () =>
        update(
          alertId,
          'SET #status = :resolved, resolvedAt = :at, resolvedBy = :by, lastSeenAt = :at, ' +
            'timeline = list_append(timeline, :entries), expiresAt = :expiresAt' +
            (note ? ', resolutionNote = :note' : '') +
            ' REMOVE firingName',
          {
            ':resolved': 'resolved',
            ':firing': 'firing',
            ':at': entry.at,
            ':by': by,
            ':entries': [entry],
            ':expiresAt': Math.floor(Date.parse(entry.at) / 1000) + RESOLVED_RETENTION_SECONDS,
            ...(note ? { ':note': note } : {}),
          },
          { '#status': 'status' },
          '#status = :firing',
        ),
      ),
  };
}
