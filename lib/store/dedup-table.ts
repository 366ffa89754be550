import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DedupObservation, DedupStore } from '../alerts/dedup.js';
import { isConditionFailure } from './dynamo.js';

/** How long a fingerprint's state outlives its last occurrence before DynamoDB's TTL may remove it. */
const RETENTION_SECONDS = 14 * 24 * 3600;

interface DedupItem {
  prevStatus?: DedupObservation['previousStatus'];
  prevWindowEndsAt?: number;
  prevLastSeenAt?: number;
  lastSeenAt?: number;
  episodeStartedAt?: number;
  count?: number;
}

const toObservation = (item: DedupItem, replay: boolean): DedupObservation => ({
  previousStatus: item.prevStatus ?? 'none',
  previousWindowEndsAt: item.prevWindowEndsAt ?? 0,
  observedAt: item.lastSeenAt ?? 0,
  count: item.count ?? 1,
  replay,
  previousSeenAt: item.prevLastSeenAt ?? 0,
  episodeStartedAt: item.episodeStartedAt,
});

/**
 * One conditional UpdateItem per alert. The item keeps, beside the current state, the state it replaced
 * (`prev*`) and the event that replaced it, so the decision is derived from the write's own result: the window
 * is open while the stored `windowEndsAt` is after now (TTL deletion is lazy and decides nothing). The condition
 * only refuses the same event twice; a refused write returns the stored item, from which the first decision
 * is recomputed without counting again.
 */
export function dynamoDedupStore(db: DynamoDBDocumentClient, tableName: string): DedupStore {
  return {
    async observe(alert, windowMs, now) {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { fingerprint: alert.fingerprint },
            UpdateExpression:
              'SET #count = if_not_exists(#count, :zero) + :one, prevStatus = if_not_exists(#status, :none), ' +
              'prevWindowEndsAt = if_not_exists(windowEndsAt, :zero), ' +
              'prevLastSeenAt = if_not_exists(lastSeenAt, :zero), ' +
              '#status = :status, windowEndsAt = :windowEndsAt, lastSeenAt = :now, ' +
              'firstSeenAt = if_not_exists(firstSeenAt, :now), ' +
              'expiresAt = :expiresAt, lastEventId = :eventId, alertName = :name, severity = :severity' +
              // A firing episode starts with its first firing and ends with a resolution.
              (alert.status === 'firing'
                ? ', episodeStartedAt = if_not_exists(episodeStartedAt, :now)'
                : ' REMOVE episodeStartedAt'),
            ConditionExpression: 'attribute_not_exists(lastEventId) OR lastEventId <> :eventId',
            ExpressionAttributeNames: { '#count': 'count', '#status': 'status' },
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':none': 'none',
              ':status': alert.status,
              ':windowEndsAt': now + windowMs,
              ':now': now,
              ':expiresAt': Math.floor(now / 1000) + RETENTION_SECONDS,
              ':eventId': alert.eventId,
              ':name': alert.name,
              ':severity': alert.severity,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return toObservation(result.Attributes as DedupItem, false);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // A redelivery. The refused write returns the stored item in DynamoDB's wire format (the document client
        // converts only successful answers); without it (dynalite), read it: a read, not a write.
        const item = error.Item
          ? unmarshall(error.Item as Parameters<typeof unmarshall>[0])
          : (
              await db.send(
                new GetCommand({ TableName: tableName, Key: { fingerprint: alert.fingerprint }, ConsistentRead: true }),
              )
            ).Item;
        return toObservation((item ?? {}) as DedupItem, true);
      }
    },

    async revert(alert) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { fingerprint: alert.fingerprint },
            UpdateExpression:
              'SET #status = prevStatus, windowEndsAt = prevWindowEndsAt, #count = #count - :one REMOVE lastEventId',
            ConditionExpression: 'lastEventId = :eventId',
            ExpressionAttributeNames: { '#count': 'count', '#status': 'status' },
            ExpressionAttributeValues: { ':one': 1, ':eventId': alert.eventId },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another event was observed since and judged against our unforwarded one. Leave the state so that this
        // one's redelivery still goes on: a firing as a reminder (window closed), a resolution as a resolution
        // (status back to firing). Late rather than lost.
        const resolution = alert.status === 'resolved';
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { fingerprint: alert.fingerprint },
            UpdateExpression: resolution ? 'SET windowEndsAt = :zero, #status = :firing' : 'SET windowEndsAt = :zero',
            ExpressionAttributeValues: resolution ? { ':zero': 0, ':firing': 'firing' } : { ':zero': 0 },
            ...(resolution ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          }),
        );
      }
    },
  };
}
