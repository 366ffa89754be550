import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../alerts/model.js';
import {
  firstAlertId,
  type AlertRepository,
  type ChangeResult,
  type StoredAlert,
  type TimelineEntry,
} from '../alerts/repository.js';
import { batchGetItems, isConditionFailure, queryItems, scanItems } from './dynamo.js';

/** Resolved alerts are kept this long, then DynamoDB's TTL may remove them. */
const RESOLVED_RETENTION_SECONDS = 90 * 24 * 3600;

/**
 * The sparse index of firing alerts by name (`firingName` is set only while an alert fires), sorted by when they
 * opened, which no repeat changes: a repeat rewrites its entry in place rather than deleting and adding it, and a
 * resolution takes it out once. It carries the event and when it was last seen, which is all inhibition reads and
 * what the listing orders by: inhibition queries its source names only (not every firing alert, thousands in a storm);
 * the listing scans it, small as it is, and reads the alerts it shows whole.
 */
export const FIRING_INDEX = 'firingByName';
/** A listing reads at most this many pages of the index: a bounded cost for `/status` in a storm. */
const MAX_LIST_PAGES = 5;

/** What the firing index holds of an alert. */
interface FiringEntry {
  pk: string;
  alert: Alert;
  lastSeenAt: string;
}
const newestSeenFirst = (a: { lastSeenAt: string }, b: { lastSeenAt: string }) =>
  b.lastSeenAt.localeCompare(a.lastSeenAt);

const alertKey = (alertId: string) => ({ pk: `alert#${alertId}` });
const latestKey = (fingerprint: string) => ({ pk: `latest#${fingerprint}` });

/**
 * Alerts in one table: `alert#<id>` holds the alert. A fingerprint's first alert is named by the fingerprint
 * (firstAlertId), so most fingerprints need nothing else; once one fires again after resolving, `latest#<fingerprint>`
 * points at its newest alert. Every state change is a conditional update, so concurrent or repeated deliveries cannot
 * undo each other.
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

  /**
   * Firing alerts from the index, most recently seen first: those of `names` by a query per name (each its newest
   * opened first), or all of them by a scan, which stops once `limit` are found (which ones, beyond the limit, is the
   * scan's order) or after `maxPages` pages.
   */
  const firingEntries = async (options: { limit: number; names?: string[]; maxPages?: number; service?: string }) => {
    const { limit, names, maxPages = Infinity, service } = options;
    const projection = { ProjectionExpression: 'pk, #alert, lastSeenAt' };
    const found: FiringEntry[] = [];
    if (names?.length) {
      for (const name of names) {
        if (found.length >= limit) break;
        const query = {
          TableName: tableName,
          IndexName: FIRING_INDEX,
          KeyConditionExpression: 'firingName = :name',
          ExpressionAttributeNames: { '#alert': 'alert' },
          ExpressionAttributeValues: { ':name': name },
          ...projection,
          ScanIndexForward: false,
          Limit: limit - found.length,
        };
        found.push(...(await queryItems<FiringEntry>(db, query, limit - found.length, maxPages)));
      }
    } else {
      const scan = {
        TableName: tableName,
        IndexName: FIRING_INDEX,
        ExpressionAttributeNames: { '#alert': 'alert', ...(service ? { '#service': 'service' } : {}) },
        ...(service
          ? { FilterExpression: '#alert.#service = :service', ExpressionAttributeValues: { ':service': service } }
          : {}),
        ...projection,
      };
      found.push(...(await scanItems<FiringEntry>(db, scan, limit, maxPages)));
    }
    return found.sort(newestSeenFirst).slice(0, limit);
  };

  return {
    get,

    async listFiring({ limit, service }) {
      const entries = await firingEntries({ limit: Infinity, maxPages: MAX_LIST_PAGES, service });
      const chosen = entries.slice(0, limit).map((entry) => entry.pk);
      // The index lags the table a little: an alert resolved since is left out, and each is ordered as it now is.
      const alerts = await batchGetItems<StoredAlert>(db, tableName, 'pk', chosen);
      return alerts.filter((stored) => stored.status === 'firing').sort(newestSeenFirst);
    },

    async firingAlerts(limit, names) {
      return (await firingEntries({ limit, names })).map((entry) => entry.alert);
    },

    async latest(fingerprint) {
      const [pointer, first] = [latestKey(fingerprint).pk, alertKey(firstAlertId(fingerprint)).pk];
      const found = new Map(
        (await batchGetItems(db, tableName, 'pk', [pointer, first], true)).map((item) => [item.pk, item]),
      );
      const pointed = found.get(pointer)?.alertId as string | undefined;
      // A pointer whose alert TTL has removed leaves the first alert (or none) as the newest there is.
      return ((pointed && (await get(pointed))) || found.get(first)) as StoredAlert | undefined;
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
      if (alert.alertId !== firstAlertId(alert.fingerprint))
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
