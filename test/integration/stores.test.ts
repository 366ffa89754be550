import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../lib/alerts/dedup.js';
import type { Alert } from '../../lib/alerts/model.js';
import { firstAlertId, type StoredAlert } from '../../lib/alerts/repository.js';
import type { IncidentMember, StoredIncident } from '../../lib/incidents/model.js';
import { appendAudit, verifyAudit } from '../../lib/automation/audit.js';
import { dynamoAlertRepository } from '../../lib/store/alerts-table.js';
import { dynamoAuditStore } from '../../lib/store/audit-table.js';
import { dynamoDedupStore } from '../../lib/store/dedup-table.js';
import { dynamoIncidentRepository } from '../../lib/store/incidents-table.js';
import { openedBetween } from '../../lib/incidents/report-schedule.js';
import { dynamoSendBudget } from '../../lib/store/send-budget-table.js';
import { sqsQueue } from '../../lib/store/sqs-queue.js';
import { startDynamo, startSqs, type Peer } from '../../infra/local/peers.js';
import { provisionTables } from '../../infra/local/provision.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let dynamo: Peer;
let sqsPeer: Peer;
let db: DynamoDBDocumentClient;
/** Every DynamoDB request the adapters make, by operation name. */
const requests: string[] = [];

beforeAll(async () => {
  [dynamo, sqsPeer] = await Promise.all([startDynamo(), startSqs()]);
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials });
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(context.commandName as string);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  await raw.send(
    new CreateTableCommand({
      TableName: 'audit',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'seq', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
    }),
  );
  await raw.send(
    new CreateTableCommand({
      TableName: 'incidents',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'state', AttributeType: 'S' },
        { AttributeName: 'updatedAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [index('byStateSlim', 'state', 'updatedAt', ['service'])],
    }),
  );
  // The alerts table as infra/resources.yml declares it, with its sparse index of firing alerts.
  await raw.send(
    new CreateTableCommand({
      TableName: 'alerts',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'firingName', AttributeType: 'S' },
        { AttributeName: 'firstSeenAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [index('firingByName', 'firingName', 'firstSeenAt', ['alert', 'lastSeenAt'])],
    }),
  );
  for (const [name, key] of [
    ['dedup', 'fingerprint'],
    ['deliveries', 'pk'],
  ] as const) {
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all([dynamo?.stop(), sqsPeer?.stop()]);
});

/** A global secondary index as infra/resources.yml declares them: all attributes, or only `include`. */
function index(name: string, hash: string, range: string, include?: string[]) {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' as const },
      { AttributeName: range, KeyType: 'RANGE' as const },
    ],
    Projection: include
      ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: include }
      : { ProjectionType: 'ALL' as const },
  };
}

let sequence = 0;
function alert(overrides: Partial<Alert> = {}): Alert {
  sequence++;
  return {
    eventId: `event-${sequence}`,
    source: 'alertmanager',
    fingerprint: 'f00dfeedf00dfeed',
    status: 'firing',
    severity: 'critical',
    name: 'HighLatency',
    service: 'api',
    summary: 'p99 above 2 s',
    labels: { alertname: 'HighLatency' },
    annotations: {},
    startsAt: '2026-11-23T01:00:00.000Z',
    receivedAt: '2026-11-23T01:00:01.000Z',
    ...overrides,
  };
}

describe('DynamoDB dedup store (dynalite)', () => {
  const window = 300_000;

  it('makes exactly one write per observed alert, and decides from the write result alone', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'aaaaaaaaaaaaaaaa';
    const t0 = 1_800_000_000_000;
    requests.length = 0;
    const first = await store.observe(alert({ fingerprint }), window, t0);
    const repeat = await store.observe(alert({ fingerprint }), window, t0 + 60_000);
    const later = await store.observe(alert({ fingerprint }), window, t0 + 60_000 + window + 1);
    const resolved = await store.observe(alert({ fingerprint, status: 'resolved' }), window, t0 + 700_000);
    expect(requests).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect([
      decide('firing', first),
      decide('firing', repeat),
      decide('firing', later),
      decide('resolved', resolved),
    ]).toEqual(['open', 'repeat', 'remind', 'resolve']);
    expect([first.count, repeat.count, later.count, resolved.count]).toEqual([1, 2, 3, 4]);
  });

  it('stores when the firing began and when it was last seen, so a firing that never pauses is refreshed once per window', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'abababababababab';
    const t0 = 1_800_000_000_000;
    const decisions = [];
    for (const offset of [0, 120_000, 240_000, 310_000, 400_000]) {
      decisions.push(decide('firing', await store.observe(alert({ fingerprint }), window, t0 + offset), window));
    }
    expect(decisions).toEqual(['open', 'repeat', 'repeat', 'remind', 'repeat']);
    await store.observe(alert({ fingerprint, status: 'resolved' }), window, t0 + 500_000);
    const reopened = await store.observe(alert({ fingerprint }), window, t0 + 510_000);
    expect(reopened.episodeStartedAt).toBe(t0 + 510_000);
  });

  it('judges the window by the stored expiry, even when TTL has not deleted an expired item yet', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'bbbbbbbbbbbbbbbb';
    const t0 = 1_800_000_000_000;
    await store.observe(alert({ fingerprint }), window, t0);
    // Lazy TTL: the item's expiresAt is long past, yet the item is still there.
    await db.send(
      new UpdateCommand({
        TableName: 'dedup',
        Key: { fingerprint },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': 1 },
      }),
    );
    const inside = await store.observe(alert({ fingerprint }), window, t0 + 10_000);
    expect(decide('firing', inside)).toBe('repeat');
  });

  it('recognises a redelivered event: same decision, not counted again, no second write', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'cccccccccccccccc';
    const event = alert({ fingerprint });
    const first = await store.observe(event, window, 1_800_000_000_000);
    const replay = await store.observe(event, window, 1_800_000_050_000);
    expect(replay).toMatchObject({ replay: true, count: first.count, previousStatus: 'none' });
    expect(decide('firing', replay)).toBe('open');
    const item = (await db.send(new GetCommand({ TableName: 'dedup', Key: { fingerprint } }))).Item;
    expect(item?.count).toBe(1);
  });

  it('reverts an observation whose forwarding failed, so the redelivery opens the alert again', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'dddddddddddddddd';
    const opening = alert({ fingerprint });
    await store.observe(opening, window, 1_800_000_000_000);
    await store.revert(opening);
    const peerCopy = await store.observe(alert({ fingerprint }), window, 1_800_000_001_000);
    expect(decide('firing', peerCopy)).toBe('open');
  });

  it('gives one "open" to many concurrent copies of the same alert (HA peers)', async () => {
    const store = dynamoDedupStore(db, 'dedup');
    const fingerprint = 'eeeeeeeeeeeeeeee';
    const observations = await Promise.all(
      Array.from({ length: 20 }, () => store.observe(alert({ fingerprint }), window, 1_800_000_000_000)),
    );
    expect(observations.map((o) => decide('firing', o)).filter((d) => d === 'open')).toHaveLength(1);
    expect(Math.max(...observations.map((o) => o.count))).toBe(20);
  });
});

describe('DynamoDB alert repository (dynalite)', () => {
  const stored = (alertId: string, fingerprint: string): StoredAlert => {
    const a = alert({ fingerprint });
    return {
      alertId,
      fingerprint,
      status: 'firing',
      severity: 'critical',
      alert: a,
      firstSeenAt: a.startsAt,
      lastSeenAt: a.receivedAt,
      countBase: 1,
      count: 1,
      plan: { routes: ['default'], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
      openedBy: a.eventId,
      lastEventId: a.eventId,
      timeline: [{ at: a.receivedAt, event: 'opened' }],
    };
  };

  it('creates once, points the fingerprint at the newest alert, and applies each event once', async () => {
    const repo = dynamoAlertRepository(db, 'alerts');
    const first = stored('alert-1', '1111111111111111');
    await repo.create(first);
    const again = await repo.create({ ...first, timeline: [] });
    expect(again.timeline).toHaveLength(1);
    expect((await repo.latest('1111111111111111'))?.alertId).toBe('alert-1');

    const repeat = alert({ fingerprint: '1111111111111111' });
    const at = '2026-11-23T02:00:00.000Z';
    expect((await repo.applyRepeat('alert-1', repeat, 5, at, [{ at, event: 'repeated' }]))?.count).toBe(5);
    expect(await repo.applyRepeat('alert-1', repeat, 5, at, [{ at, event: 'repeated' }])).toBeUndefined();
    const quiet = alert({ fingerprint: '1111111111111111' });
    expect((await repo.applyRepeat('alert-1', quiet, 6, at, []))?.timeline).toHaveLength(2);

    const resolution = alert({
      fingerprint: '1111111111111111',
      status: 'resolved',
      endsAt: '2026-11-23T03:00:00.000Z',
    });
    const resolved = await repo.resolve('alert-1', resolution, 7, { at, event: 'resolved' });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-23T03:00:00.000Z' });
    expect(resolved?.timeline.map((e) => e.event)).toEqual(['opened', 'repeated', 'resolved']);
    expect(await repo.resolve('alert-1', resolution, 7, { at, event: 'resolved' })).toBeUndefined();
  });
  it("finds a fingerprint's first alert by the fingerprint, and a later one by a pointer written with it", async () => {
    const repo = dynamoAlertRepository(db, 'alerts');
    const fingerprint = '2222222222222222';
    const first = stored(firstAlertId(fingerprint), fingerprint);
    const before = requests.length;
    await repo.create(first);
    expect(requests.slice(before)).toEqual(['PutItemCommand']); // the alert alone: no pointer
    expect((await repo.latest(fingerprint))?.alertId).toBe(first.alertId);
    const resolution = alert({ fingerprint, status: 'resolved', endsAt: '2026-11-23T03:00:00.000Z' });
    await repo.resolve(first.alertId, resolution, 2, { at: '2026-11-23T03:00:00.000Z', event: 'resolved' });
    const again = stored('alert-2b', fingerprint);
    await repo.create(again);
    expect((await repo.latest(fingerprint))?.alertId).toBe('alert-2b');
    // TTL removed the newest one: the first is what is left.
    await db.send(new DeleteCommand({ TableName: 'alerts', Key: { pk: 'alert#alert-2b' } }));
    expect((await repo.latest(fingerprint))?.alertId).toBe(first.alertId);
  });

  it('finds the firing alerts of inhibition source names on their own index, and no longer once resolved', async () => {
    const repo = dynamoAlertRepository(db, 'alerts');
    const named = (alertId: string, fingerprint: string, name: string) => {
      const base = stored(alertId, fingerprint);
      return { ...base, alert: { ...base.alert, name } };
    };
    await repo.create(named('down-1', 'd000000000000001', 'ServiceDown'));
    await repo.create(named('down-2', 'd000000000000002', 'ServiceDown'));
    for (let i = 0; i < 5; i++) await repo.create(named(`noise-${i}`, `e00000000000000${i}`, 'HighLatency'));
    const names = async (found: Promise<{ name: string }[]>) => (await found).map((alert) => alert.name).sort();
    expect(await names(repo.firingAlerts(100, ['ServiceDown']))).toEqual(['ServiceDown', 'ServiceDown']);
    const resolution = alert({
      fingerprint: 'd000000000000001',
      status: 'resolved',
      endsAt: '2026-11-23T03:00:00.000Z',
    });
    await repo.resolve('down-1', resolution, 2, { at: '2026-11-23T03:00:00.000Z', event: 'resolved' });
    expect(await names(repo.firingAlerts(100, ['ServiceDown']))).toEqual(['ServiceDown']);
    expect((await repo.firingAlerts(100)).length).toBeGreaterThanOrEqual(6);
    // The listing: whole alerts, most recently seen first, a service's alone when asked.
    const later = '2026-11-23T04:00:00.000Z';
    await repo.applyRepeat('noise-3', alert({ fingerprint: 'e000000000000003', name: 'HighLatency' }), 2, later, []);
    await repo.create({ ...named('web-1', 'f000000000000001', 'HighLatency'), alert: alert({ service: 'web' }) });
    const listed = await repo.listFiring({ limit: 100 });
    expect(listed[0]).toMatchObject({
      alertId: 'noise-3',
      lastSeenAt: later,
      count: 2,
      timeline: [{ event: 'opened' }],
    });
    expect(listed.map((stored) => stored.alertId)).toEqual(expect.arrayContaining(['down-2', 'web-1']));
    expect(listed.map((stored) => stored.alertId)).not.toContain('down-1');
    expect((await repo.listFiring({ limit: 100, service: 'web' })).map((stored) => stored.alertId)).toEqual(['web-1']);
    expect(await repo.listFiring({ limit: 2 })).toHaveLength(2);
  });
});

describe('DynamoDB incident repository (dynalite)', () => {
  const at = '2026-11-23T02:00:00.000Z';
  const member = (alertId: string): IncidentMember => ({
    alertId,
    fingerprint: `${alertId}ffff`,
    name: 'KubePodCrashLooping',
    severity: 'critical',
    status: 'firing',
    labels: { pod: alertId },
    summary: 'crash looping',
    at,
  });
  const incident = (incidentId: string, first: string): StoredIncident => ({
    incidentId,
    groupKey: 'alertmanager:{}:{alertname="KubePodCrashLooping"}',
    state: 'triggered',
    title: 'KubePodCrashLooping',
    service: 'payments',
    members: { [first]: member(first) },
    firing: 1,
    resolved: 0,
    plan: { routes: ['default'], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
    notifications: {},
    version: 1,
    openedAt: at,
    updatedAt: at,
    timeline: [{ at, event: 'opened' }],
  });

  it('gives a group to one of many first members arriving at once, and to a new incident once it resolved', async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => repo.claimGroup('group-a', `incident-${i}`, undefined)),
    );
    expect(new Set(claims).size).toBe(1);
    const holder = claims[0]!;
    expect(await repo.forGroup('group-a')).toEqual({ incidentId: holder, incident: undefined });
    expect(await repo.claimGroup('group-a', 'late', 'someone-else')).toBe(holder);
    expect(await repo.claimGroup('group-a', 'next', holder)).toBe('next');
  });

  it('finds the incidents opened in a window by the time they last changed state, in every state', async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    const opened = (id: string, day: number, state: StoredIncident['state'] = 'triggered') => {
      const time = `2026-10-${String(day).padStart(2, '0')}T08:00:00.000Z`;
      return repo.create({ ...incident(id, `${id}-m`), state, openedAt: time, updatedAt: time });
    };
    await Promise.all([opened('win-a', 10), opened('win-b', 12, 'resolved'), opened('win-c', 14, 'acknowledged')]);
    await Promise.all([opened('win-before', 2, 'resolved'), opened('win-after', 20)]);
    const found = await openedBetween(repo, '2026-10-09T00:00:00.000Z', '2026-10-16T00:00:00.000Z', 100);
    expect(found.map((one) => one.incidentId).sort()).toEqual(['win-a', 'win-b', 'win-c']);
  });

  it("applies a batch's member changes in one write, and only to the version they were worked out from", async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    await repo.create(incident('inc-1', 'm0'));
    expect((await repo.create({ ...incident('inc-1', 'other'), title: 'x' })).title).toBe('KubePodCrashLooping');
    const joining = {
      members: ['m1', 'm2', 'm3'].map(member),
      removed: [],
      fields: { firing: 4, updatedAt: at },
      unset: [],
      entries: [{ at, event: 'member_added' }],
    };
    const sent = requests.length;
    expect(await repo.applyMembers('inc-1', 1, joining)).toMatchObject({ version: 2, firing: 4 });
    // One write; then the delivery item beside it is read, for whether the cards showed the version before it.
    expect(requests.slice(sent)).toEqual(['UpdateItemCommand', 'GetItemCommand']);
    // Worked out from version 1 too, by a batch that lost the race: it changes nothing, and reads again.
    expect(await repo.applyMembers('inc-1', 1, { ...joining, members: [member('m4')] })).toBeUndefined();
    const stored = await repo.get('inc-1');
    expect(Object.keys(stored!.members).sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(stored!.timeline.map((entry) => entry.event)).toEqual(['opened', 'member_added']);

    const later = '2026-11-23T02:05:00.000Z';
    const closed = await repo.applyMembers('inc-1', 2, {
      members: ['m0', 'm1', 'm2', 'm3'].map((id) => ({
        ...member(id),
        status: 'resolved' as const,
        resolvedAt: later,
      })),
      removed: [],
      fields: { firing: 0, resolved: 4, state: 'resolved', resolvedAt: later, stateChanges: [at, later] },
      unset: [],
      entries: [{ at: later, event: 'resolved' }],
    });
    expect(closed).toMatchObject({ state: 'resolved', firing: 0, resolved: 4, version: 3, resolvedAt: later });
    const raw = async () =>
      (await db.send(new GetCommand({ TableName: 'incidents', Key: { pk: 'incident#inc-1' } }))).Item!;
    // Kept 90 days after it resolved, then left to TTL.
    expect((await raw()).expiresAt).toBe(Date.parse(later) / 1000 + 90 * 24 * 3600);

    // m1 firing again takes the place of its resolved self; the incident flaps from now on.
    const remindAt = '2026-11-23T03:00:00.000Z';
    const again = { ...member('m6'), fingerprint: member('m1').fingerprint };
    const flapping = { stateChanges: [at, later, later], flappingUntil: '2026-11-23T02:15:00.000Z' };
    const reopened = await repo.applyMembers('inc-1', 3, {
      members: [again],
      removed: ['m1'],
      fields: { state: 'triggered', firing: 1, resolved: 3, flaps: 1, remindAt, ...flapping },
      unset: ['resolvedAt'],
      entries: [{ at: later, event: 'reopened' }],
    });
    expect(reopened).toMatchObject({ state: 'triggered', firing: 1, resolved: 3, flaps: 1, remindAt, ...flapping });
    expect(Object.keys(reopened!.members).sort()).toEqual(['m0', 'm2', 'm3', 'm6']);
    expect(reopened?.resolvedAt).toBeUndefined();
    expect((await raw()).expiresAt).toBeUndefined();
    expect((await repo.list('triggered', { limit: 10 })).map((entry) => entry.incidentId)).toContain('inc-1');
    // Listed whole, and once acknowledged, listed as such only.
    const acknowledged = await repo.acknowledge('inc-1', { openId: 'ou_a' }, { at: remindAt, event: 'acknowledged' });
    expect(acknowledged.changed).toBe(true);
    expect((await repo.list('triggered', { limit: 10 })).map((entry) => entry.incidentId)).not.toContain('inc-1');
    const [listed] = await repo.list('acknowledged', { limit: 1, service: reopened!.service });
    expect(listed).toEqual(acknowledged.incident);
  });

  it('lets only one of many concurrent claims take an escalation step, and one person acknowledge', async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    await repo.create({ ...incident('inc-2', 'p0'), deliveredVersion: 99 }); // its cards are not what this is about
    const claim = (step: number, at: string, leaseUntil: string) =>
      repo.claimStep('inc-2', { step, policy: 'default', at, leaseUntil });
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => claim(1, '2026-11-23T02:00:00.000Z', '2026-11-23T02:02:00.000Z')),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Step 2 cannot be claimed before step 1 is done.
    expect(await claim(2, '2026-11-23T02:00:01.000Z', '2026-11-23T02:02:01.000Z')).toBeUndefined();
    await repo.recordCalls('inc-2', 1, { 'ou_a:urgent_app': '2026-11-23T02:00:02.000Z' }, [{ at, event: 'paged' }]);
    await repo.releaseStep('inc-2', 1, '2026-11-23T02:00:03.000Z');
    const lease = (now: string, until: string) => repo.retakeStep('inc-2', 1, { now, until, maxAttempts: 3 });
    expect(await lease('2026-11-23T02:01:00.000Z', '2026-11-23T02:03:00.000Z')).toMatchObject({
      escalation: { step: 1, pagedStep: 0, attempts: 2, done: { 'ou_a:urgent_app': '2026-11-23T02:00:02.000Z' } },
    });
    // The holder died mid-call: while its lease runs nobody takes the step over, after it somebody does, until the
    // attempts run out.
    expect(await lease('2026-11-23T02:02:59.000Z', '2026-11-23T02:04:59.000Z')).toBeUndefined();
    expect(await lease('2026-11-23T02:03:01.000Z', '2026-11-23T02:05:01.000Z')).toBeDefined();
    expect(await lease('2026-11-23T02:06:00.000Z', '2026-11-23T02:08:00.000Z')).toBeUndefined();
    const next = '2026-11-23T02:05:00.000Z';
    const done = await repo.completeStep('inc-2', 1, next, [{ at, event: 'escalated' }]);
    expect(done?.escalation).toEqual({
      policy: 'default',
      startedAt: '2026-11-23T02:00:00.000Z',
      step: 1,
      pagedStep: 1,
      nextAt: next,
      done: { 'ou_a:urgent_app': '2026-11-23T02:00:02.000Z' },
    });
    expect(await repo.completeStep('inc-2', 1, next, [])).toBeUndefined();
    expect(await repo.dueTimers('2026-11-23T02:04:59.000Z', 10)).not.toContain('inc-2');
    expect(await repo.dueTimers('2026-11-23T02:05:00.000Z', 10)).toContain('inc-2');
    const second = await Promise.all([1, 2, 3].map(() => claim(2, next, '2026-11-23T02:07:00.000Z')));
    expect(second.filter(Boolean)).toHaveLength(1);
    expect(second.find(Boolean)?.escalation).toMatchObject({ step: 2, pagedStep: 1, attempts: 1, done: {} });
    await repo.recordNotifications('inc-2', { 'chat:oc_ops': 'om_1', 'user:ou_a': 'om_2' }, []);
    expect((await repo.get('inc-2'))?.notifications).toEqual({ 'chat:oc_ops': 'om_1', 'user:ou_a': 'om_2' });

    const acks = await Promise.all(
      ['ou_a', 'ou_b', 'ou_c'].map((openId) => repo.acknowledge('inc-2', { openId }, { at, event: 'acknowledged' })),
    );
    expect(acks.filter((ack) => ack.changed)).toHaveLength(1);
    const winner = acks.find((ack) => ack.changed)!.incident!.acknowledgedBy!.openId;
    expect(acks.every((ack) => ack.incident?.acknowledgedBy?.openId === winner)).toBe(true);
  });
});

describe('incident delivery and send budgets (dynalite)', () => {
  const at = '2026-11-23T02:00:00.000Z';
  const base = (incidentId: string): StoredIncident => ({
    incidentId,
    groupKey: 'g',
    state: 'triggered',
    title: 'PodCrash',
    service: 'api',
    members: {},
    firing: 0,
    resolved: 0,
    plan: { routes: [], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
    notifications: {},
    version: 1,
    cardVersions: {},
    openedAt: at,
    updatedAt: at,
    timeline: [],
  });

  it('lets one worker hold an incident, notes its rounds beside it, and says whether the incident moved on', async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    const incident = await repo.create(base('dlv-1'));
    const holders = await Promise.all([1, 2, 3].map(() => repo.claimDelivery('dlv-1', at, '2026-11-23T02:01:10.000Z')));
    expect(holders.filter(Boolean)).toHaveLength(1);
    expect(holders.find(Boolean)).toMatchObject({
      incidentId: 'dlv-1',
      deliveryLeaseUntil: '2026-11-23T02:01:10.000Z',
    });
    // The lease is written beside the incident, not into it (whose every write is billed by its whole size).
    const stored = await db.send(new GetCommand({ TableName: 'incidents', Key: { pk: 'incident#dlv-1' } }));
    expect(stored.Item).not.toHaveProperty('deliveryLeaseUntil');
    const round = {
      sent: { 'chat:oc_ops': 'om_1' },
      versions: { 'chat:oc_ops': 1 },
      at,
      entries: [{ at, event: 'notified' }],
      announce: true,
    };
    // A change lands meanwhile: the round is noted and let go, and says the incident moved on (the cards show version
    // 1, it is at 2).
    await repo.recordSilence(
      'dlv-1',
      { id: 's1', until: '2026-11-23T03:00:00.000Z', by: { openId: 'ou_a' } },
      {
        at,
        event: 'silenced',
      },
    );
    expect(await repo.finishRound(incident, round, 1)).toBe(false);
    expect(await repo.get('dlv-1')).toMatchObject({
      version: 2,
      deliveredVersion: 1,
      notifications: { 'chat:oc_ops': 'om_1' },
      cardVersions: { 'chat:oc_ops': 1 },
      announcedAt: at,
    });
    expect((await repo.get('dlv-1'))?.deliveryLeaseUntil).toBeUndefined();
    // Without a version (a round that failed somewhere), noted and let go, the cards' version left as it was.
    expect(await repo.finishRound(incident, { ...round, sent: {}, entries: [] })).toBe(true);
    expect((await repo.get('dlv-1'))?.deliveredVersion).toBe(1);
    expect(
      await repo.finishRound(incident, { ...round, sent: {}, entries: [], versions: { 'chat:oc_ops': 2 } }, 2),
    ).toBe(true);
    expect((await repo.get('dlv-1'))?.deliveredVersion).toBe(2);
    // An incident stored before card versions existed gets the map whole.
    const { cardVersions: _none, ...old } = base('dlv-2');
    await repo.create(old as StoredIncident);
    await repo.finishRound(old as StoredIncident, { sent: {}, versions: { 'chat:oc_ops': 1 }, at, entries: [] });
    expect((await repo.get('dlv-2'))?.cardVersions).toEqual({ 'chat:oc_ops': 1 });
  });

  it('finds incidents owed a card that nobody is delivering, and those with a timer due', async () => {
    const repo = dynamoIncidentRepository(db, 'incidents');
    const now = '2026-11-23T02:10:00.000Z';
    await repo.create({ ...base('due-owed'), updatedAt: now });
    await repo.create({ ...base('due-held'), updatedAt: now, deliveryLeaseUntil: '2026-11-23T02:11:00.000Z' });
    await repo.create({
      ...base('due-done'),
      updatedAt: now,
      deliveredVersion: 1,
      remindAt: '2026-11-23T03:00:00.000Z',
    });
    await repo.create({ ...base('due-remind'), updatedAt: now, deliveredVersion: 1, remindAt: now });
    await repo.create({ ...base('due-green'), state: 'resolved', updatedAt: now });
    const due = await repo.dueTimers(now, 100);
    expect(due).toEqual(expect.arrayContaining(['due-owed', 'due-remind', 'due-green']));
    expect(due).not.toContain('due-held');
    expect(due).not.toContain('due-done');
  });

  it('keeps a budget of calls a second across concurrent callers', async () => {
    const budget = dynamoSendBudget(db, 'deliveries');
    const started = Math.floor(Date.now() / 1000);
    await Promise.all(
      Array.from({ length: 12 }, () =>
        budget.take(
          [
            { key: 'chat:oc_budget', perSecond: 5 },
            { key: 'app', perSecond: 50 },
          ],
          10_000,
        ),
      ),
    );
    const seconds = [];
    const apps: number[] = [];
    for (let second = started; second <= Math.floor(Date.now() / 1000); second++) {
      const item = await db.send(new GetCommand({ TableName: 'deliveries', Key: { pk: `budget#${second}` } }));
      if (item.Item?.['chat:oc_budget']) seconds.push(item.Item['chat:oc_budget'] as number);
      apps.push((item.Item?.app as number | undefined) ?? 0);
    }
    // Twelve calls, never more than five in one second: at least three seconds; each took the app's budget with the
    // chat's, in the same write.
    expect(seconds.reduce((a, b) => a + b, 0)).toBe(12);
    expect(apps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...seconds)).toBeLessThanOrEqual(5);
    expect(seconds.length).toBeGreaterThanOrEqual(3);
  }, 10_000);

  it("takes a call from every budget in one write or from none: a full chat holds none of the app's", async () => {
    const at = 4_102_444_800_000; // a second of its own, far from the other tests' (2100-01-01)
    const budget = dynamoSendBudget(db, 'deliveries', () => at + 100);
    const budgets = [
      { key: 'app', perSecond: 50 },
      { key: 'chat:oc_full', perSecond: 5 },
    ];
    for (let call = 0; call < 5; call++) await budget.take(budgets, 0);
    await expect(budget.take(budgets, 0)).rejects.toThrow('chat:oc_full');
    const item = await db.send(new GetCommand({ TableName: 'deliveries', Key: { pk: `budget#${at / 1000}` } }));
    expect(item.Item).toMatchObject({ app: 5, 'chat:oc_full': 5 });
  });

  it('fails a caller that would wait longer than it may, as a rate limit would, and counts nothing for it', async () => {
    const budget = dynamoSendBudget(db, 'deliveries');
    const key = 'user:ou_paged_by_many';
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => budget.take([{ key, perSecond: 5 }], 500)),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    // At most two seconds' worth go through in half a second (the one under way, and the next if it began).
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toContain('stayed full');
  });
});

describe('SQS queue adapter (fauxqs)', () => {
  it('sends in batches of 10: 25 messages are 3 requests, all received intact', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: sqsPeer.endpoint,
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'batches' }));
    const queue = sqsQueue<{ n: number }>(QueueUrl!, sqs);
    const result = await queue.sendAll(Array.from({ length: 25 }, (_, n) => ({ n })));
    expect(result).toEqual({ failed: [], requests: 3 });
    const received: number[] = [];
    while (received.length < 25) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (!Messages.length) break;
      received.push(...Messages.map((m) => (JSON.parse(m.Body!) as { n: number }).n));
    }
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, n) => n));
  });

  it('also splits batches by size: 12 messages of 100 KB go in 6 requests SQS accepts, not 2 it would refuse', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: sqsPeer.endpoint,
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'big' }));
    const result = await sqsQueue<{ pad: string }>(QueueUrl!, sqs).sendAll(
      Array.from({ length: 12 }, () => ({ pad: 'x'.repeat(100 * 1024) })),
    );
    expect(result).toEqual({ failed: [], requests: 6 });
  });

  it('carries characters outside the BMP (emoji) that fauxqs refuses in a raw body', async () => {
    const sqs = sqsClientOf(sqsPeer);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'emoji' }));
    expect(await sqsQueue<{ summary: string }>(QueueUrl!, sqs).sendAll([{ summary: 's😀 🔥' }])).toEqual({
      failed: [],
      requests: 1,
    });
    expect(await receiveAll<{ summary: string }>(sqs, QueueUrl!)).toEqual([{ summary: 's😀 🔥' }]);
  });

  it('reports every message as failed when the queue is unreachable, instead of throwing', async () => {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials,
      useQueueUrlAsEndpoint: false,
      maxAttempts: 1,
    });
    const queue = sqsQueue<{ n: number }>('http://127.0.0.1:9/000000000000/nowhere', sqs, 2);
    const result = await queue.sendAll([{ n: 1 }, { n: 2 }]);
    expect(result.failed).toEqual([0, 1]);
  });
});

describe('local SQS data directory', () => {
  it('keeps queued messages across a restart and hands back those in flight when the runtime died', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openclaw-sqs-'));
    try {
      const first = await startSqs({ dataDir });
      const before = sqsClientOf(first);
      const { QueueUrl } = await before.send(
        new CreateQueueCommand({ QueueName: 'kept', Attributes: { VisibilityTimeout: '300' } }),
      );
      await sqsQueue<{ n: number }>(QueueUrl!, before).sendAll([{ n: 1 }, { n: 2 }, { n: 3 }]);
      // One message is taken and never deleted: its poller dies with the runtime.
      const taken = await before.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
      expect(taken.Messages).toHaveLength(1);
      await first.stop();

      const second = await startSqs({ dataDir });
      try {
        const after = sqsClientOf(second);
        const received = await receiveAll<{ n: number }>(after, QueueUrl!);
        expect(received.map(({ n }) => n).sort()).toEqual([1, 2, 3]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local DynamoDB data directory', () => {
  it('keeps tables and items across a restart, as `npm start` relies on for .data/', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openclaw-dynamo-'));
    try {
      const first = await startDynamo({ dataDir });
      const client = (peer: Peer) =>
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: peer.endpoint, credentials }));
      await client(first).send(
        new CreateTableCommand({
          TableName: 'kept',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'fingerprint', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'fingerprint', KeyType: 'HASH' }],
        }),
      );
      await dynamoDedupStore(client(first), 'kept').observe(
        alert({ fingerprint: '9999999999999999' }),
        300_000,
        1_800_000_000_000,
      );
      await first.stop();
      const second = await startDynamo({ dataDir });
      const item = (
        await client(second).send(new GetCommand({ TableName: 'kept', Key: { fingerprint: '9999999999999999' } }))
      ).Item;
      await second.stop();
      expect(item).toMatchObject({ count: 1, status: 'firing' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local DynamoDB provisioning', () => {
  it('builds a kept table again when its indexes are not the declared ones, keeping its items', async () => {
    const table = (indexes: ReturnType<typeof index>[]) => ({
      Kept: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'reindexed',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'status', AttributeType: 'S' },
            { AttributeName: 'at', AttributeType: 'S' },
          ],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: indexes,
        },
      },
    });
    const logged: Record<string, unknown>[] = [];
    const log = (entry: Record<string, unknown>) => void logged.push(entry);
    const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials });
    await provisionTables(raw, table([index('old', 'status', 'at')]), log);
    await db.send(new PutCommand({ TableName: 'reindexed', Item: { pk: 'a', status: 'firing', at: 't1', body: 'x' } }));
    await provisionTables(raw, table([index('old', 'status', 'at')]), log);
    expect(logged).toEqual([]); // as declared: left alone
    await provisionTables(raw, table([index('slim', 'status', 'at', ['body'])]), log);
    expect(logged).toMatchObject([{ table: 'reindexed', indexes: ['slim'], items: 1 }]);
    const found = await db.send(
      new QueryCommand({
        TableName: 'reindexed',
        IndexName: 'slim',
        KeyConditionExpression: '#status = :firing',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':firing': 'firing' },
      }),
    );
    expect(found.Items).toEqual([{ pk: 'a', status: 'firing', at: 't1', body: 'x' }]);
  });
});

describe('DynamoDB audit chain', () => {
  it('appends concurrently without forking, verifies, and detects an edited record', async () => {
    const store = dynamoAuditStore(db, 'audit');
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        appendAudit(store, {
          requestId: `r${i}`,
          kind: 'requested',
          actor: { openId: 'ou_a' },
          action: 'check_logs',
          args: { service: 'api', limit: 5 },
          environment: 'prod',
          at: new Date().toISOString(),
        }),
      ),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: true, records: 12 });
    await db.send(
      new UpdateCommand({
        TableName: 'audit',
        Key: { pk: 'chain', seq: 7 },
        UpdateExpression: 'SET environment = :env',
        ExpressionAttributeValues: { ':env': 'dev' },
      }),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: false, brokenAt: 7 });
  });
});

function sqsClientOf(peer: Peer) {
  return new SQSClient({ region: 'us-east-1', endpoint: peer.endpoint, credentials, useQueueUrlAsEndpoint: false });
}

/** Every message visible in the queue now, parsed (and deleted by nobody: the test owns the queue). */
async function receiveAll<T>(sqs: SQSClient, QueueUrl: string): Promise<T[]> {
  const received: T[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    if (!Messages.length) return received;
    received.push(...Messages.map((message) => JSON.parse(message.Body!) as T));
  }
}
