import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TimelineEntry } from '../alerts/repository.js';
import type { IncidentState, StoredIncident } from '../incidents/model.js';
import type { IncidentChange, IncidentRepository } from '../incidents/repository.js';
import { stableId } from '../lambda/ids.js';
import { batchGetItems, isConditionFailure, queryItems } from './dynamo.js';

/** Resolved incidents are kept this long, then DynamoDB's TTL may remove them. */
const RESOLVED_RETENTION_SECONDS = 90 * 24 * 3600;
/**
 * The sparse index of incidents by state (pointers have none), the latest to enter it first (`updatedAt`, which only a
 * change of state moves). It holds their keys and service alone: an incident is written whole on every change, and
 * an index holding all of it, or anything such a change moves, would be written as often. What is listed is read
 * whole from the table.
 */
export const INCIDENTS_BY_STATE_INDEX = 'byStateSlim';
const MAX_LIST_PAGES = 5;

const incidentKey = (incidentId: string) => ({ pk: `incident#${incidentId}` });
const deliveryKey = (incidentId: string) => ({ pk: `delivery#${incidentId}` });
const groupKey = (key: string) => ({ pk: `group#${stableId('group', key)}` });
const expiresAt = (at: string) => Math.floor(Date.parse(at) / 1000) + RESOLVED_RETENTION_SECONDS;
/**
 * What the worker notes of its rounds, kept in an item of its own beside the incident (`delivery#<id>`): two writes a
 * round (the lease, its end) would otherwise rewrite the incident, members and timeline and all, whose size every write
 * is billed by (a tracked group of hundreds is tens of KB). It holds these, the cards' message ids and the rounds'
 * timeline entries; the incident's reads merge it back in.
 */
const DELIVERY_FIELDS = [
  'deliveryLeaseUntil',
  'deliveredAt',
  'announcedAt',
  'deliveredVersion',
  'cardVersions',
  'warRoom',
  'register',
] as const;

/**
 * Incidents in one table: `incident#<id>` holds the incident with its members in a map (what a batch's events did to
 * them is one update conditional on the incident's version, so concurrent batches and clicks never overwrite each
 * other), `delivery#<id>` what its delivery rounds noted (DELIVERY_FIELDS), `group#<hash>` names a group's incident.
 */
export function dynamoIncidentRepository(db: DynamoDBDocumentClient, tableName: string): IncidentRepository {
  /**
   * The incident as the domain sees it: its item with what its delivery item holds over any an incident stored before
   * the split still carries, the cards' message ids of both (a page notes its direct message on the incident), and
   * the rounds' timeline entries in the timeline by time.
   */
  const merged = (item: Record<string, unknown> | undefined, delivery: Record<string, unknown> | undefined) => {
    if (!item) return undefined;
    const { pk: _pk, expiresAt: _ttl, ...fields } = item;
    const incident = fields as unknown as StoredIncident;
    if (!delivery) return incident;
    const { notifications, timeline, ...rest } = delivery as Partial<StoredIncident>;
    for (const field of DELIVERY_FIELDS)
      if (rest[field] !== undefined) Object.assign(incident, { [field]: rest[field] });
    incident.notifications = { ...notifications, ...incident.notifications };
    if (timeline?.length)
      incident.timeline = [...incident.timeline, ...timeline].sort((a, b) => a.at.localeCompare(b.at));
    return incident;
  };
  const deliveryOf = async (incidentId: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: deliveryKey(incidentId), ConsistentRead: true }))).Item;
  /** Incidents by id, each with its delivery item, in one consistent read (batches of 100 keys). */
  const getMany = async (incidentIds: string[], consistent: boolean) => {
    const keys = incidentIds.flatMap((id) => [incidentKey(id).pk, deliveryKey(id).pk]);
    const found = new Map((await batchGetItems(db, tableName, 'pk', keys, consistent)).map((item) => [item.pk, item]));
    return incidentIds.flatMap((id) => {
      const incident = merged(found.get(incidentKey(id).pk), found.get(deliveryKey(id).pk));
      return incident ? [incident] : [];
    });
  };
  const get = async (incidentId: string) => (await getMany([incidentId], true))[0];

  /** One conditional update of the incident's item: the item as it left it, or undefined when the condition failed. */
  const write = async (
    incidentId: string,
    expression: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
    condition = 'attribute_exists(pk)',
  ): Promise<Record<string, unknown> | undefined> => {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  };
  /**
   * A write whose caller goes on with the incident: as the write left it, with its delivery item read after the write,
   * not beside it. A round that ends between the two must be seen (attach wakes the worker by whether the cards
   * showed the version before this write; the worker, after its own write, reads ours).
   */
  const update = async (...args: Parameters<typeof write>): Promise<StoredIncident | undefined> => {
    const item = await write(...args);
    return item && merged(item, await deliveryOf(args[0]));
  };
  const change = async (
    incidentId: string,
    run: () => Promise<StoredIncident | undefined>,
  ): Promise<IncidentChange> => {
    const incident = await run();
    return incident ? { changed: true, incident } : { changed: false, incident: await get(incidentId) };
  };
  /** An item that names an incident by something else (a chat message, a chat), until `expires` (epoch seconds). */
  const point = async (pk: string, incidentId: string, expires: number) => {
    await db.send(new PutCommand({ TableName: tableName, Item: { pk, incidentId, expiresAt: expires } }));
  };
  const pointee = async (pk: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: { pk } }))).Item?.incidentId as string | undefined;
  const withEntries = (entries: TimelineEntry[]) =>
    entries.length ? ', timeline = list_append(timeline, :entries)' : '';

  /**
   * The incidents in `state` (those of `service`, those that entered it `since`), the latest to enter it first: their
   * keys from the index, then the items whole. The index lags the table a little, so one that has left the state
   * since is left out.
   */
  const inState = async (
    state: IncidentState,
    options: { limit: number; service?: string; since?: string; maxPages?: number },
  ) => {
    const { limit, service, since, maxPages } = options;
    const query = {
      TableName: tableName,
      IndexName: INCIDENTS_BY_STATE_INDEX,
      KeyConditionExpression: `#state = :state${since ? ' AND updatedAt >= :since' : ''}`,
      ScanIndexForward: false,
      ...(Number.isFinite(limit) ? { Limit: service ? 100 : limit } : {}),
      ExpressionAttributeNames: { '#state': 'state', ...(service ? { '#service': 'service' } : {}) },
      ExpressionAttributeValues: {
        ':state': state,
        ...(service ? { ':service': service } : {}),
        ...(since ? { ':since': since } : {}),
      },
      ...(service ? { FilterExpression: '#service = :service' } : {}),
      ProjectionExpression: 'pk',
    };
    const keys = await queryItems<{ pk: string }>(db, query, limit, maxPages);
    const incidents = await getMany(
      keys.map((item) => item.pk.slice('incident#'.length)),
      false,
    );
    return incidents.filter((incident) => incident.state === state);
  };

  return {
    get,

    async forGroup(key) {
      const pointer = (
        await db.send(new GetCommand({ TableName: tableName, Key: groupKey(key), ConsistentRead: true }))
      ).Item;
      if (!pointer) return undefined;
      const incidentId = pointer.incidentId as string;
      return { incidentId, incident: await get(incidentId) };
    },

    async claimGroup(key, incidentId, replacing) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...groupKey(key), incidentId, groupKey: key },
            ConditionExpression: replacing
              ? 'attribute_not_exists(pk) OR incidentId = :replacing'
              : 'attribute_not_exists(pk)',
            ...(replacing ? { ExpressionAttributeValues: { ':replacing': replacing } } : {}),
          }),
        );
        return incidentId;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const pointer = (
          await db.send(new GetCommand({ TableName: tableName, Key: groupKey(key), ConsistentRead: true }))
        ).Item;
        return pointer?.incidentId as string;
      }
    },

    async create(incident) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...incidentKey(incident.incidentId), ...incident },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return incident;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return (await get(incident.incidentId)) ?? incident;
      }
    },

    async applyMembers(incidentId, version, { members, removed, fields, unset, entries }) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':version': version, ':one': 1 };
      const sets: string[] = [];
      const removes: string[] = [];
      members.forEach((member, i) => {
        names[`#m${i}`] = member.alertId;
        values[`:m${i}`] = member;
        sets.push(`members.#m${i} = :m${i}`);
      });
      removed.forEach((alertId, i) => {
        names[`#r${i}`] = alertId;
        removes.push(`members.#r${i}`);
      });
      Object.entries(fields).forEach(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:f${i}`] = value;
        sets.push(`#f${i} = :f${i}`);
      });
      unset.forEach((field, i) => {
        names[`#u${i}`] = field;
        removes.push(`#u${i}`);
      });
      // A resolved incident is kept for its retention, then left to TTL; one firing again is kept.
      if (fields.state === 'resolved') {
        values[':expiresAt'] = expiresAt(fields.resolvedAt ?? fields.updatedAt!);
        sets.push('expiresAt = :expiresAt');
      } else if (fields.state) removes.push('expiresAt');
      if (entries.length) {
        values[':entries'] = entries;
        sets.push('timeline = list_append(timeline, :entries)');
      }
      return update(
        incidentId,
        `${sets.length ? `SET ${sets.join(', ')} ` : ''}${removes.length ? `REMOVE ${removes.join(', ')} ` : ''}` +
          'ADD version :one',
        values,
        names,
        'version = :version',
      );
    },

    async recordNotifications(incidentId, sent, entries) {
      const targets = Object.keys(sent);
      if (!targets.length) return;
      const names = Object.fromEntries(targets.map((target, i) => [`#t${i}`, target]));
      const values = Object.fromEntries(targets.map((target, i) => [`:m${i}`, sent[target]]));
      await write(
        incidentId,
        `SET ${targets.map((_, i) => `notifications.#t${i} = :m${i}`).join(', ')}${withEntries(entries)}`,
        { ...values, ...(entries.length ? { ':entries': entries } : {}) },
        names,
      );
    },

    async claimStep(incidentId, { step, policy, at, leaseUntil, manual }) {
      const states = manual ? '#state <> :resolved' : '#state = :triggered';
      const state = manual ? { ':resolved': 'resolved' } : { ':triggered': 'triggered' };
      if (step === 1) {
        const progress = { policy, startedAt: at, step: 1, pagedStep: 0, leaseUntil, attempts: 1, done: {} };
        return update(
          incidentId,
          'SET escalation = :progress',
          { ':progress': progress, ...state },
          { '#state': 'state' },
          `attribute_exists(pk) AND ${states} AND attribute_not_exists(escalation)`,
        );
      }
      return update(
        incidentId,
        'SET escalation.step = :step, escalation.leaseUntil = :until, escalation.attempts = :one, ' +
          'escalation.done = :none',
        { ':step': step, ':previous': step - 1, ':until': leaseUntil, ':one': 1, ':none': {}, ...state },
        { '#state': 'state' },
        `${states} AND escalation.step = :previous AND escalation.pagedStep = :previous`,
      );
    },

    retakeStep: (incidentId, step, { now, until, maxAttempts }) =>
      update(
        incidentId,
        'SET escalation.leaseUntil = :until, escalation.attempts = escalation.attempts + :one',
        { ':step': step, ':now': now, ':until': until, ':one': 1, ':max': maxAttempts, ':triggered': 'triggered' },
        { '#state': 'state' },
        '#state = :triggered AND escalation.step = :step AND escalation.pagedStep < :step AND ' +
          'escalation.leaseUntil <= :now AND escalation.attempts < :max',
      ),

    async recordCalls(incidentId, step, done, entries) {
      const keys = Object.keys(done);
      if (!keys.length && !entries.length) return;
      const sets = keys.map((_, i) => `escalation.done.#c${i} = :c${i}`);
      if (entries.length) sets.push('timeline = list_append(timeline, :entries)');
      await write(
        incidentId,
        `SET ${sets.join(', ')}`,
        {
          ':step': step,
          ...Object.fromEntries(keys.map((key, i) => [`:c${i}`, done[key]])),
          ...(entries.length ? { ':entries': entries } : {}),
        },
        Object.fromEntries(keys.map((key, i) => [`#c${i}`, key])),
        'escalation.step = :step',
      );
    },

    completeStep: (incidentId, step, nextAt, entries) =>
      update(
        incidentId,
        `SET escalation.pagedStep = :step${nextAt ? ', escalation.nextAt = :next' : ''}${withEntries(entries)} ` +
          `REMOVE escalation.leaseUntil, escalation.attempts${nextAt ? '' : ', escalation.nextAt'} ADD version :one`,
        {
          ':step': step,
          ':one': 1,
          ...(nextAt ? { ':next': nextAt } : {}),
          ...(entries.length ? { ':entries': entries } : {}),
        },
        {},
        'escalation.step = :step AND escalation.pagedStep < :step',
      ),

    async releaseStep(incidentId, step, now, refund = false) {
      await write(
        incidentId,
        `SET escalation.leaseUntil = :now${refund ? ', escalation.attempts = escalation.attempts - :one' : ''}`,
        { ':now': now, ':step': step, ...(refund ? { ':one': 1 } : {}) },
        {},
        'escalation.step = :step',
      );
    },

    async appendTimeline(incidentId, entries) {
      if (entries.length)
        await write(incidentId, 'SET timeline = list_append(timeline, :entries)', { ':entries': entries });
    },

    async unmuteMembers(incidentId, alertIds, entry) {
      if (!alertIds.length) return get(incidentId);
      const names = Object.fromEntries(alertIds.map((id, i) => [`#m${i}`, id]));
      return update(
        incidentId,
        `SET ${alertIds.map((_, i) => `members.#m${i}.muted = :no`).join(', ')}, ` +
          'timeline = list_append(timeline, :entries) ADD version :one',
        { ':no': false, ':yes': true, ':one': 1, ':entries': [entry] },
        names,
        alertIds.map((_, i) => `members.#m${i}.muted = :yes`).join(' OR '),
      );
    },

    async claimDelivery(incidentId, now, until) {
      let delivery: Record<string, unknown> | undefined;
      try {
        delivery = (
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: deliveryKey(incidentId),
              // Kept as long as a resolved incident; an open one's is moved on by every round.
              UpdateExpression: 'SET deliveryLeaseUntil = :until, expiresAt = :expiresAt',
              ConditionExpression: 'attribute_not_exists(deliveryLeaseUntil) OR deliveryLeaseUntil <= :now',
              ExpressionAttributeValues: { ':now': now, ':until': until, ':expiresAt': expiresAt(now) },
              ReturnValues: 'ALL_NEW',
            }),
          )
        ).Attributes;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
      const item = (
        await db.send(new GetCommand({ TableName: tableName, Key: incidentKey(incidentId), ConsistentRead: true }))
      ).Item;
      // An incident gone (TTL) leaves its lease to run out, and the item to expire.
      return merged(item, delivery);
    },

    async finishRound(incident, { sent, versions, at, entries, announce, warRoom, register }, version) {
      const { incidentId } = incident;
      // Only the lease's holder writes the cards' versions and message ids, so it writes them whole from what it holds
      // (a page's direct message, noted on the incident, is kept there: the two are merged on reading).
      const sets = ['deliveredAt = :at', 'cardVersions = :versions', 'notifications = :sent', 'expiresAt = :expiresAt'];
      const values: Record<string, unknown> = {
        ':at': at,
        ':versions': { ...incident.cardVersions, ...versions },
        ':sent': { ...incident.notifications, ...sent },
        ':expiresAt': expiresAt(incident.resolvedAt ?? at),
      };
      if (announce || incident.announcedAt) {
        sets.push('announcedAt = if_not_exists(announcedAt, :announcedAt)');
        values[':announcedAt'] = incident.announcedAt ?? at;
      }
      if (version !== undefined) {
        sets.push('deliveredVersion = :version');
        values[':version'] = version;
      }
      if (warRoom) {
        sets.push('warRoom = :room');
        values[':room'] = warRoom;
      }
      if (register) {
        sets.push('#register = :register');
        values[':register'] = register;
      }
      if (entries.length) {
        sets.push('timeline = list_append(if_not_exists(timeline, :none), :entries)');
        Object.assign(values, { ':none': [], ':entries': entries });
      }
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: deliveryKey(incidentId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE deliveryLeaseUntil`,
          ExpressionAttributeValues: values,
          ...(register ? { ExpressionAttributeNames: { '#register': 'register' } } : {}),
        }),
      );
      // The version is read after the round is noted (see update): a change that landed before it is seen here, one
      // after it sees the round.
      const after = (
        await db.send(
          new GetCommand({
            TableName: tableName,
            Key: incidentKey(incidentId),
            ConsistentRead: true,
            ProjectionExpression: 'version',
          }),
        )
      ).Item;
      return Boolean(after) && (version === undefined || after!.version === version);
    },

    acknowledge: (incidentId, by, entry) =>
      change(incidentId, () =>
        update(
          incidentId,
          'SET #state = :acknowledged, acknowledgedBy = :by, acknowledgedAt = :at, updatedAt = :at, ' +
            'timeline = list_append(timeline, :entries) ADD version :one',
          {
            ':acknowledged': 'acknowledged',
            ':triggered': 'triggered',
            ':one': 1,
            ':by': by,
            ':at': entry.at,
            ':entries': [entry],
          },
          { '#state': 'state' },
          '#state = :triggered',
        ),
      ),

    resolveByHand: (incidentId, by, note, entry) =>
      change(incidentId, () =>
        update(
          incidentId,
          'SET #state = :resolved, resolvedAt = :at, resolvedBy = :by, updatedAt = :at, expiresAt = :expiresAt, ' +
            'timeline = list_append(timeline, :entries)' +
            (note ? ', resolutionNote = :note' : '') +
            ' ADD version :one',
          {
            ':resolved': 'resolved',
            ':one': 1,
            ':at': entry.at,
            ':by': by,
            ':entries': [entry],
            ':expiresAt': expiresAt(entry.at),
            ...(note ? { ':note': note } : {}),
          },
          { '#state': 'state' },
          'attribute_exists(pk) AND #state <> :resolved',
        ),
      ),

    recordSilence: (incidentId, silence, entry) =>
      update(incidentId, 'SET silence = :silence, timeline = list_append(timeline, :entries) ADD version :one', {
        ':silence': silence,
        ':entries': [entry],
        ':one': 1,
      }),

    endSilence: (incidentId, silenceId, entry) =>
      update(
        incidentId,
        'REMOVE silence SET timeline = list_append(timeline, :entries) ADD version :one',
        { ':id': silenceId, ':entries': [entry], ':one': 1 },
        {},
        'silence.id = :id',
      ),

    async claimReminder(incidentId, dueAt, nextAt, at) {
      return Boolean(
        await write(
          incidentId,
          'SET remindAt = :next, remindedAt = :at',
          { ':due': dueAt, ':next': nextAt, ':at': at, ':triggered': 'triggered' },
          { '#state': 'state' },
          '#state = :triggered AND remindAt = :due',
        ),
      );
    },

    async dueTimers(now, limit) {
      // Cards owed and nobody delivering them (a holder died, a wakeup was lost): open incidents, and those resolved
      // in the last hour (their green card).
      const undelivered = (incident: StoredIncident) =>
        (incident.deliveredVersion === undefined || incident.deliveredVersion < incident.version) &&
        (incident.deliveryLeaseUntil === undefined || incident.deliveryLeaseUntil <= now);
      const timerDue = ({ escalation, remindAt }: StoredIncident) =>
        [escalation?.nextAt, remindAt, escalation?.leaseUntil].some((time) => time !== undefined && time <= now);
      const hourAgo = new Date(Date.parse(now) - 3_600_000).toISOString();
      const queries: { state: IncidentState; isDue: (incident: StoredIncident) => boolean; since?: string }[] = [
        { state: 'triggered', isDue: (incident) => timerDue(incident) || undelivered(incident) },
        { state: 'acknowledged', isDue: undelivered },
        { state: 'resolved', isDue: undelivered, since: hourAgo },
      ];
      const due: string[] = [];
      for (const { state, isDue, since } of queries) {
        if (due.length >= limit) break;
        const found = await inState(state, { limit: Infinity, since });
        due.push(...found.filter(isDue).map((incident) => incident.incidentId));
      }
      return due.slice(0, limit);
    },

    rememberNotePrompt: (messageId, incidentId) =>
      point(`prompt#${messageId}`, incidentId, Math.floor(Date.now() / 1000) + 7 * 24 * 3600),
    incidentForNotePrompt: (messageId) => pointee(`prompt#${messageId}`),
    // A war room is kept as long as a resolved incident is.
    rememberWarRoom: (chatId, incidentId) => point(`room#${chatId}`, incidentId, expiresAt(new Date().toISOString())),
    incidentForWarRoom: (chatId) => pointee(`room#${chatId}`),

    recordCommander: (incidentId, commander, entry) =>
      update(
        incidentId,
        'SET commander = :commander, timeline = list_append(timeline, :entries) ADD version :one',
        { ':commander': commander, ':entries': [entry], ':one': 1, ':resolved': 'resolved' },
        { '#state': 'state' },
        'attribute_exists(pk) AND #state <> :resolved',
      ),

    async recordProposal(incidentId, proposal, entries) {
      await write(
        incidentId,
        proposal
          ? `SET proposalAsked = :asked, proposal = :proposal${withEntries(entries)} ADD version :one`
          : 'SET proposalAsked = :asked',
        {
          ':asked': true,
          ...(proposal ? { ':proposal': proposal, ':one': 1, ...(entries.length ? { ':entries': entries } : {}) } : {}),
        },
        {},
        'attribute_exists(pk) AND attribute_not_exists(proposalAsked)',
      );
    },

    async recordDraft(incidentId, draft) {
      await write(incidentId, 'SET knowledgeDraft = :draft', { ':draft': draft });
    },

    list: (state, { limit, service, since }) => inState(state, { limit, service, since, maxPages: MAX_LIST_PAGES }),
  };
}
