/**
 * End to end with a real Alertmanager (Debian's prometheus-alertmanager 0.25 and its amtool): alerts added with
 * amtool go through Alertmanager's grouping and webhook receiver into the local runtime (ingest → dedup → router),
 * and out through the real @larksuiteoapi/node-sdk client to the local Feishu stand-in, whose outbox is what we check.
 * Everything listens on 127.0.0.1 only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import { LocalRuntime, projectRoot } from '../../infra/local/runtime.js';
import { startAlertmanager } from '../support/alertmanager.js';
import { configDirWith, routingWithoutWarRooms } from '../support/config-dir.js';
import { debianPeer } from '../support/debian-peers.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const TOKEN = 'e2e-token';
const GROUP_INTERVAL_S = 2;

let runtime: LocalRuntime;
let alertmanager: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
let amUrl = '';
let workDir = '';
let configDir = '';
/** What the stand-in answered to each call (the outbox keeps only the requests): message ids come from here. */
const answers = new WeakMap<OutboxEntry, unknown>();

// ---------------------------------------------------------------------------------------------------------------
// Outbox helpers

interface SendBody {
  receive_id: string;
  msg_type: string;
  content: string;
  uuid?: string;
}
interface Card {
  schema: string;
  header: { title: { content: string }; subtitle?: { content: string }; template: string };
  body: { elements: unknown[] };
}
interface Sent {
  entry: OutboxEntry;
  receiveIdType: string | null;
  receiveId: string;
  messageId: string;
  card: Card;
}

const pathname = (entry: OutboxEntry) => new URL(entry.path, 'http://standin').pathname;
const query = (entry: OutboxEntry) => new URL(entry.path, 'http://standin').searchParams;

/** Cards created (POST /open-apis/im/v1/messages), optionally only those whose title names `alertname`. */
function created(alertname?: string): Sent[] {
  return runtime.outbox
    .filter((e) => e.method === 'POST' && pathname(e) === '/open-apis/im/v1/messages')
    .map((entry) => {
      const body = entry.body as SendBody;
      const answer = answers.get(entry) as { data?: { message_id?: string } } | undefined;
      return {
        entry,
        receiveIdType: query(entry).get('receive_id_type'),
        receiveId: body.receive_id,
        messageId: answer?.data?.message_id ?? '',
        card: JSON.parse(body.content) as Card,
      };
    })
    .filter((sent) => !alertname || sent.card.header.title.content.includes(alertname));
}

const patches = (messageId: string) =>
  runtime.outbox.filter((e) => e.method === 'PATCH' && pathname(e) === `/open-apis/im/v1/messages/${messageId}`);
const urgents = (messageId: string, kind?: 'app' | 'sms' | 'phone') =>
  runtime.outbox.filter(
    (e) =>
      e.method === 'PATCH' &&
      (kind
        ? pathname(e) === `/open-apis/im/v1/messages/${messageId}/urgent_${kind}`
        : pathname(e).startsWith(`/open-apis/im/v1/messages/${messageId}/urgent_`)),
  );
const allUrgents = () => runtime.outbox.filter((e) => /\/urgent_(app|sms|phone)$/.test(pathname(e)));

/** What arrived, for failure messages. */
const outboxSummary = () =>
  runtime.outbox.map((e) => {
    const content = (e.body as { content?: string } | undefined)?.content;
    let title: string | undefined;
    try {
      title = content ? (JSON.parse(content) as Card).header?.title?.content : undefined;
    } catch {
      title = undefined;
    }
    return `${e.method} ${e.path}${title ? ` «${title}»` : ''}${(e.body as { receive_id?: string } | undefined)?.receive_id ? ` → ${(e.body as SendBody).receive_id}` : ''}`;
  });

/** Every element of a card with tag `button`, wherever it is nested. */
function buttons(
  card: Card,
): { text: { content: string }; behaviors: { type: string; value?: unknown; default_url?: string }[] }[] {
  const found: ReturnType<typeof buttons> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    if ((node as { tag?: string }).tag === 'button') found.push(node as ReturnType<typeof buttons>[number]);
    Object.values(node).forEach(walk);
  };
  walk(card.body);
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// On-call, computed from config/oncall.yaml independently of lib/alerts/oncall.ts

function onCallAt(team: string, at: number): { name: string; openId: string } {
  const file = parseYaml(readFileSync(join(projectRoot, 'config/oncall.yaml'), 'utf8')) as {
    teams: Record<string, { handoff: string | Date; shift: string; members: { name: string; openId: string }[] }>;
  };
  const t = file.teams[team]!;
  const handoff = t.handoff instanceof Date ? t.handoff.getTime() : Date.parse(t.handoff);
  const [, n, unit] = /^(\d+)([smhd])$/.exec(t.shift)!;
  const shiftMs = Number(n) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[unit as 's' | 'm' | 'h' | 'd'];
  const shifts = Math.floor((at - handoff) / shiftMs);
  const count = t.members.length;
  return t.members[((shifts % count) + count) % count]!;
}

/** Who was on call while `alert` ran: one person, unless a shift handover fell inside that time. */
async function onCallDuring<T>(team: string, alert: () => Promise<T>): Promise<{ result: T; people: string[] }> {
  const before = onCallAt(team, Date.now());
  const result = await alert();
  const after = onCallAt(team, Date.now());
  return { result, people: [...new Set([before.openId, after.openId])] };
}

// ---------------------------------------------------------------------------------------------------------------
// Alertmanager helpers

async function amtool(...args: string[]): Promise<string> {
  const { stdout } = await run(debianPeer('amtool'), [`--alertmanager.url=${amUrl}`, ...args], { timeout: 15_000 });
  return stdout;
}

interface Labels {
  alertname: string;
  service: string;
  severity: string;
  instance: string;
}
const labelArgs = (labels: Labels) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);
const addAlert = (labels: Labels, summary: string, extra: string[] = []) =>
  amtool('alert', 'add', ...labelArgs(labels), `--annotation=summary=${summary}`, ...extra);

/** Sums the samples of one metric of Alertmanager's /metrics whose labels include `labelFilter`. */
async function metric(name: string, labelFilter = ''): Promise<number> {
  const text = await (await fetch(`${amUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labelFilter))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/**
 * Settles after something was done to Alertmanager: waits until the aggregation groups have run their notification
 * pipeline at least twice since now (each run queries the notification log once per group, so whatever Alertmanager
 * decided to send has been sent and answered), then until no alert is left in or between the runtime's queues.
 */
async function settle(): Promise<void> {
  // Only one aggregation group is active whenever this is called: two queries are two flushes of that group.
  const queriesBefore = await metric('alertmanager_nflog_queries_total');
  await waitFor(
    async () => (await metric('alertmanager_nflog_queries_total')) >= queriesBefore + 2,
    'two Alertmanager flushes',
    {
      timeoutMs: (GROUP_INTERVAL_S * 2 + 6) * 1000,
    },
  );
  await drained();
}

/**
 * Settles after a group's last alert was resolved (an emptied group runs no more pipelines, so there are no flushes
 * to count): waits until Alertmanager has made no webhook call for two group intervals, then for the queues.
 */
async function settleQuiet(): Promise<void> {
  let last = await metric('alertmanager_notifications_total', 'integration="webhook"');
  let since = Date.now();
  await waitFor(async () => {
    const now = await metric('alertmanager_notifications_total', 'integration="webhook"');
    if (now !== last) [last, since] = [now, Date.now()];
    return Date.now() - since >= (GROUP_INTERVAL_S * 2 + 1) * 1000;
  }, 'Alertmanager to stop calling the webhook');
  await drained();
}

/** No alert left in or between the runtime's queues (alerts before notify: dedup sends on before it deletes). */
async function drained(): Promise<void> {
  let depths: unknown;
  await waitFor(
    async () => {
      const alerts = await runtime.queueDepth('AlertsQueue');
      const notify = await runtime.queueDepth('NotifyQueue');
      depths = { alerts, notify };
      return alerts.visible + alerts.inFlight + notify.visible + notify.inFlight === 0;
    },
    'the runtime queues to drain',
    { describe: () => depths },
  );
}

interface HeldAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint: string;
}

/** The alert this Alertmanager holds for `labels` (its API lists firing alerts only). */
async function heldAlert(labels: Labels): Promise<HeldAlert> {
  const held = (await (
    await fetch(`${amUrl}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${labels.alertname}"`)}`)
  ).json()) as HeldAlert[];
  const alert = held.find((a) => a.labels.instance === labels.instance);
  if (!alert) throw new Error(`Alertmanager holds no alert for ${JSON.stringify(labels)}: ${JSON.stringify(held)}`);
  return alert;
}

/** The webhook payload an Alertmanager HA peer would send for the group of `alert`. */
function peerPayload(alert: HeldAlert, status: 'firing' | 'resolved', endsAt?: string) {
  const groupLabels = { alertname: alert.labels.alertname!, service: alert.labels.service! };
  return {
    version: '4',
    groupKey: `{}:{alertname="${groupLabels.alertname}", service="${groupLabels.service}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'openclaw',
    groupLabels,
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    externalURL: amUrl,
    alerts: [
      {
        status,
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        endsAt: status === 'resolved' ? endsAt : '0001-01-01T00:00:00Z',
        generatorURL: alert.generatorURL ?? '',
        fingerprint: alert.fingerprint,
      },
    ],
  };
}

const post = (body: string | object, authorization = `Bearer ${TOKEN}`) =>
  fetch(`${runtime.url}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  configDir = configDirWith(mkdtempSync(join(tmpdir(), 'openclaw-config-')), {
    'routing.yaml': routingWithoutWarRooms(),
  });
  runtime = await new LocalRuntime({ quiet: true, alertToken: TOKEN, env: { CONFIG_DIR: configDir } }).start();
  const original = runtime.feishu.handle.bind(runtime.feishu);
  runtime.feishu.handle = (...args) => {
    const result = original(...args);
    const entry = runtime.outbox[runtime.outbox.length - 1];
    if (entry) answers.set(entry, result.body);
    return result;
  };

  workDir = mkdtempSync(join(tmpdir(), 'openclaw-am-e2e-'));
  alertmanager = await startAlertmanager({
    dir: workDir,
    webhook: `${runtime.url}/alerts/alertmanager`,
    token: TOKEN,
    groupInterval: `${GROUP_INTERVAL_S}s`,
  });
  amUrl = alertmanager.url;
});

afterAll(async () => {
  await alertmanager?.stop();
  await runtime?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('Alertmanager webhook authentication and validation', () => {
  it('rejects a wrong bearer token with 401', async () => {
    const response = await post({ version: '4' }, 'Bearer not-the-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'invalid token' });
  });

  it('rejects a malformed payload with 400 and a JSON error naming the fields', async () => {
    const response = await post({
      version: '3',
      groupKey: 'g',
      status: 'firing',
      receiver: 'openclaw',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: amUrl,
      alerts: [{ status: 'firing', labels: { service: 'mysql' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z' }],
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as { error: string; details: { path: string; message: string }[] };
    expect(body.error).toMatch(/Alertmanager/);
    expect(body.details.map((d) => d.path).sort()).toEqual(['alerts[0].labels.alertname', 'version']);
    expect(body.details.find((d) => d.path === 'alerts[0].labels.alertname')?.message).toBe('required');
  });
});

describe('a real Alertmanager through the pipeline to Feishu', () => {
  const mysql: Labels = {
    alertname: 'MySQLReplicationLag',
    service: 'mysql',
    severity: 'critical',
    instance: 'db-1:9104',
  };
  let chatCard: Sent;
  let personCard: Sent;

  it('sends one red card per target and pages the on-call person once per kind', async () => {
    const { result: cards, people } = await onCallDuring('sre', async () => {
      await addAlert(mysql, '主从延迟超过 300 秒');
      return waitFor(
        () => created(mysql.alertname).length >= 2 && created(mysql.alertname),
        'two cards for the critical alert',
        { describe: outboxSummary },
      );
    });
    // The sre on-call person, by config/oncall.yaml's rotation.
    const person = cards.find((c) => c.receiveIdType === 'open_id')?.receiveId ?? '(no card to a person)';
    expect(people).toContain(person);
    const personMessage = cards.find((c) => c.receiveId === person)?.messageId;
    await waitFor(
      () =>
        personMessage && (['app', 'sms', 'phone'] as const).every((kind) => urgents(personMessage, kind).length >= 1),
      'urgent app, SMS and phone on the card sent to the on-call person',
      { describe: outboxSummary },
    );

    // The real SDK fetched a tenant token before its first message.
    const firstTokenFetch = runtime.outbox.findIndex(
      (e) => e.method === 'POST' && pathname(e) === '/open-apis/auth/v3/tenant_access_token/internal',
    );
    expect(firstTokenFetch).toBeGreaterThanOrEqual(0);
    expect(firstTokenFetch).toBeLessThan(runtime.outbox.indexOf(cards[0]!.entry));

    const sent = created(mysql.alertname);
    expect(sent.map((c) => `${c.receiveIdType}:${c.receiveId}`).sort()).toEqual(
      ['chat_id:oc_dba', `open_id:${person}`].sort(),
    );
    chatCard = sent.find((c) => c.receiveId === 'oc_dba')!;
    personCard = sent.find((c) => c.receiveId === person)!;
    expect(chatCard.messageId).toMatch(/^om_/);
    expect(personCard.messageId).toMatch(/^om_/);
    expect(chatCard.messageId).not.toBe(personCard.messageId);

    const incidentIds = new Set<string>();
    for (const { entry, card } of sent) {
      expect((entry.body as SendBody).msg_type).toBe('interactive');
      expect((entry.body as SendBody).uuid).toBeTruthy();
      expect(card.schema).toBe('2.0');
      expect(card.header.template).toBe('red');
      expect(card.header.title.content).toContain(mysql.alertname);
      // The buttons that act on the incident; beside them are links (查看详情, 进入作战室).
      const found = buttons(card).filter((b) => b.behaviors.some((x) => x.type === 'callback'));
      expect(found.map((b) => b.text.content)).toEqual(['确认', '解决', '静默 1 小时']);
      const values = found.map(
        (b) => b.behaviors.find((x) => x.type === 'callback')?.value as { action: string; incidentId: string },
      );
      expect(values.map((v) => v.action)).toEqual(['ack', 'resolve', 'silence']);
      values.forEach((v) => {
        expect(Object.keys(v).sort()).toEqual(['action', 'incidentId']);
        expect(v.incidentId).toMatch(/^\w+$/);
        incidentIds.add(v.incidentId);
      });
    }
    expect(incidentIds.size).toBe(1); // both cards are about the same incident

    for (const kind of ['app', 'sms', 'phone'] as const) {
      const calls = urgents(personCard.messageId, kind);
      expect(calls, `urgent_${kind}`).toHaveLength(1);
      expect(calls[0]!.body).toEqual({ user_id_list: [person] });
      expect(query(calls[0]!).get('user_id_type')).toBe('open_id');
    }
    expect(urgents(chatCard.messageId)).toHaveLength(0);
    // The chat card was sent after the page and says who was paged; the person's own card, sent before it, is
    // brought up to date once.
    expect(chatCard.entry.body).toMatchObject({ content: expect.stringContaining(`电话加急：`) });
    await waitFor(() => patches(personCard.messageId).length === 1, 'the on-call card updated after the page');
  });

  it('absorbs repeats from Alertmanager and the same payload from an HA peer: no second card, no second page', async () => {
    const ingestsBefore = runtime.invocations.get('alert-ingest') ?? 0;
    for (let i = 0; i < 3; i++) await addAlert(mysql, '主从延迟超过 300 秒');
    // Its HA peer sends the same group as well, twice.
    const payload = peerPayload(await heldAlert(mysql), 'firing');
    for (let i = 0; i < 2; i++) {
      const response = await post(payload);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ queued: 1 });
    }
    await settle();
    expect(runtime.invocations.get('alert-ingest') ?? 0).toBeGreaterThanOrEqual(ingestsBefore + 2);

    const sent = created(mysql.alertname);
    expect(sent.map((c) => c.messageId).sort(), JSON.stringify(outboxSummary())).toEqual(
      [chatCard.messageId, personCard.messageId].sort(),
    );
    for (const kind of ['app', 'sms', 'phone'] as const)
      expect(urgents(personCard.messageId, kind), `urgent_${kind}`).toHaveLength(1);
    expect(allUrgents()).toHaveLength(3);
    // Inside the dedup window a repeat is only counted (config/routing.yaml): the cards are not even updated.
    expect(patches(chatCard.messageId)).toHaveLength(0);
    expect(patches(personCard.messageId)).toHaveLength(1);
    expect(await metric('alertmanager_notifications_failed_total', 'integration="webhook"')).toBe(0);
  });

  it('turns the same cards green when Alertmanager sends the resolution, and sends nothing new', async () => {
    const createsBefore = created().length;
    const notificationsBefore = await metric('alertmanager_notifications_total', 'integration="webhook"');
    const held = await heldAlert(mysql);
    const endsAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await addAlert(mysql, '主从延迟超过 300 秒', [`--end=${endsAt}`]);

    const patchedGreen = (messageId: string) =>
      patches(messageId).some(
        (e) => (JSON.parse((e.body as { content: string }).content) as Card).header.template === 'green',
      );
    await waitFor(
      () => patchedGreen(chatCard.messageId) && patchedGreen(personCard.messageId),
      'both cards patched green',
      { describe: outboxSummary },
    );
    expect(await metric('alertmanager_notifications_total', 'integration="webhook"')).toBeGreaterThan(
      notificationsBefore,
    );
    // The HA peer's copy of the resolution changes nothing either.
    const response = await post(peerPayload(held, 'resolved', endsAt));
    expect(response.status).toBe(202);
    await settleQuiet();

    for (const sent of [chatCard, personCard]) {
      const calls = patches(sent.messageId);
      expect(calls, `patches of ${sent.receiveId}`).toHaveLength(sent === chatCard ? 1 : 2);
      const card = JSON.parse((calls.at(-1)!.body as { content: string }).content) as Card;
      expect(card.schema).toBe('2.0');
      expect(card.header.template).toBe('green');
      expect(card.header.title.content).toContain('已恢复');
      expect(card.header.title.content).toContain(mysql.alertname);
      expect(buttons(card).filter((b) => b.behaviors.some((x) => x.type === 'callback'))).toHaveLength(0);
    }
    expect(created()).toHaveLength(createsBefore);
    expect(allUrgents()).toHaveLength(3);
    expect(await metric('alertmanager_notifications_failed_total', 'integration="webhook"')).toBe(0);
  });

  it('sends an orange card for a warning to the chat only and pages nobody', async () => {
    const payments: Labels = {
      alertname: 'PaymentsLatencyHigh',
      service: 'payments',
      severity: 'warning',
      instance: 'pay-api-1:8080',
    };
    const urgentsBefore = allUrgents().length;
    await addAlert(payments, 'P99 延迟超过 2 秒');
    await waitFor(() => created(payments.alertname).length >= 1, 'the card for the warning', {
      describe: outboxSummary,
    });
    await settle();

    // A warning is for the team's chat; nobody is messaged directly for it.
    const sent = created(payments.alertname);
    expect(sent.map((c) => `${c.receiveIdType}:${c.receiveId}`)).toEqual(['chat_id:oc_payments_oncall']);
    for (const { card, messageId } of sent) {
      expect(card.schema).toBe('2.0');
      expect(card.header.template).toBe('orange');
      expect(card.header.title.content).toContain(payments.alertname);
      expect(urgents(messageId)).toHaveLength(0);
    }
    expect(allUrgents()).toHaveLength(urgentsBefore);
    expect(await metric('alertmanager_notifications_failed_total', 'integration="webhook"')).toBe(0);
  });
});
