/**
 * Incidents end to end, as a new user runs them: `npm start`'s entry point as its own process (so it can be killed
 * with kill -9 and started again on the same data), a real Alertmanager 0.25 in front of it, and the Feishu outbox
 * read over HTTP. Alerts are posted to Alertmanager's API; Alertmanager groups them and calls the runtime's webhook.
 * The escalation policy's delays are seconds here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import { freePort } from '../../infra/local/peers.js';
import { startAlertmanager } from '../support/alertmanager.js';
import { configDirWith, routingWithoutWarRooms } from '../support/config-dir.js';
import { RuntimeProcess } from '../support/runtime-process.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'incidents-e2e-token';
const CHAT = 'oc_ops_alerts';
const L2_AFTER_S = 12;
const L3_AFTER_S = 24;

let workDir = '';
let runtimeUrl = '';
let runtime: RuntimeProcess | undefined;
let alertmanager: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
let amUrl = '';

/** Every Feishu call of every run of the runtime: its outbox lives in its memory, so it is read as it grows. */
const outbox: OutboxEntry[] = [];
let seenThisRun = 0;

async function startRuntime() {
  seenThisRun = 0;
  await runtime!.start();
}

/** Brings `outbox` up to date with the running runtime's. */
async function sync() {
  const entries = (await (await fetch(`${runtimeUrl}/_local/outbox`)).json()) as OutboxEntry[];
  outbox.push(...entries.slice(seenThisRun));
  seenThisRun = entries.length;
}

const content = (entry: OutboxEntry) => (entry.body as { content?: string } | undefined)?.content ?? '';
const receiver = (entry: OutboxEntry) => (entry.body as { receive_id?: string }).receive_id;
const accepted = (entry: OutboxEntry) => (entry.status ?? 200) === 200;
/** Cards sent about alerts named `name`, that Feishu accepted. */
const cardsAbout = (name: string) =>
  outbox.filter(
    (e) =>
      e.method === 'POST' &&
      e.path.startsWith('/open-apis/im/v1/messages?') &&
      accepted(e) &&
      content(e).includes(name),
  );
const patchesOf = (messageId: string) =>
  outbox.filter((e) => e.method === 'PATCH' && accepted(e) && e.path === `/open-apis/im/v1/messages/${messageId}`);
/** The card as it now shows: its last accepted patch, or as sent. */
const latest = (card: OutboxEntry) => content(patchesOf(card.messageId!).at(-1) ?? card);
/** Pages (`kind:open_id`) on the cards about `name`. */
const pagesAbout = (name: string) => {
  const messages = new Set(cardsAbout(name).map((entry) => entry.messageId));
  return outbox
    .filter((e) => accepted(e) && /\/urgent_\w+\?/.test(e.path) && messages.has(e.path.split('/')[5]))
    .map((e) => `${/urgent_(\w+)/.exec(e.path)![1]}:${(e.body as { user_id_list: string[] }).user_id_list.join(',')}`);
};
const incidentIdOf = (card: OutboxEntry) => /"incidentId":"([0-9a-f]{12})"/.exec(content(card))![1]!;
const until = async <T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000) =>
  waitFor(
    async () => {
      await sync();
      return check();
    },
    what,
    { timeoutMs, describe: () => outbox.slice(-8).map((e) => `${e.method} ${e.path} ${content(e).slice(0, 120)}`) },
  );
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts alerts to Alertmanager as Prometheus does; `resolved` ends them now. */
async function fire(alerts: Record<string, string>[], resolved = false) {
  const now = new Date().toISOString();
  const body = alerts.map((labels) => ({
    labels,
    annotations: { summary: `${labels.alertname} ${labels.instance ?? ''}`.trim() },
    ...(resolved ? { endsAt: now } : {}),
  }));
  const response = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function say(text: string, sender = 'ou_sre_zhangwei') {
  const response = await fetch(`${runtimeUrl}/_local/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, sender }),
  });
  return JSON.stringify(await response.json());
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'openclaw-incidents-e2e-'));
  configDirWith(join(workDir, 'config'), {
    'routing.yaml': routingWithoutWarRooms(),
    'escalation.yaml': [
      'policies:',
      '  default:',
      '    levels:',
      '      - { notify: [oncall], channels: [card, urgent_app, urgent_phone] }',
      `      - { after: ${L2_AFTER_S}s, notify: [next_oncall], channels: [card, urgent_app, urgent_phone] }`,
      `      - { after: ${L3_AFTER_S}s, notify: [{ user: ou_sre_manager, name: 周经理 }], channels: [card, urgent_phone] }`,
      '',
    ].join('\n'),
  });
  const port = await freePort();
  runtimeUrl = `http://127.0.0.1:${port}`;
  runtime = new RuntimeProcess(runtimeUrl, {
    PORT: String(port),
    LOCAL_DATA_DIR: join(workDir, 'data'),
    CONFIG_DIR: join(workDir, 'config'),
    LOCAL_ALERT_TOKEN: TOKEN,
    LOCAL_SCHEDULE_EVERY_MS: '1000',
  });
  await startRuntime();

  alertmanager = await startAlertmanager({
    dir: workDir,
    webhook: `${runtimeUrl}/alerts/alertmanager`,
    token: TOKEN,
    groupInterval: '1s',
  });
  amUrl = alertmanager.url;
}, 120_000);

afterAll(async () => {
  await alertmanager?.stop();
  await runtime?.kill();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('an incident from a real Alertmanager group', () => {
  const pod = (i: number) => ({
    alertname: 'PodCrashLooping',
    service: 'payments',
    severity: 'warning',
    instance: `pod-${i}`,
  });
  const pods = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => pod(from + i));

  it('50 members make one card per target; 10 more patch it; half resolved are counted; all resolved turn it green', async () => {
    await fire(pods(0, 50));
    await until(
      () => cardsAbout('PodCrashLooping').some((card) => latest(card).includes('共 50 条')),
      '50 on the card',
    );
    const cards = cardsAbout('PodCrashLooping');
    // A warning: one card, in the route's chat (config/routing.yaml's payments route); nobody directly.
    expect(cards.map(receiver)).toEqual(['oc_payments_oncall']);
    const [card] = cards;
    await fire(pods(50, 60));
    await until(() => latest(card!).includes('共 60 条'), '60 on the same card');
    await fire(pods(0, 30), true);
    await until(() => latest(card!).includes('30 条触发中，30 条已恢复'), 'half resolved');
    await fire(pods(30, 60), true);
    await until(() => JSON.parse(latest(card!)).header.template === 'green', 'all resolved: green');
    expect(latest(card!)).toContain('0 条触发中，60 条已恢复');
    expect(cardsAbout('PodCrashLooping')).toHaveLength(1);
    // Feishu's 5 updates a second per message, with room to spare.
    const times = patchesOf(card!.messageId!).map((patch) => Date.parse(patch.at));
    for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(1000);
  });
});

describe('escalation that survives kill -9', () => {
  it('pages L2 exactly once after its delay though the runtime was killed and restarted in between; an ack stops L3', async () => {
    await fire([{ alertname: 'DatabaseDown', service: 'orders', severity: 'critical', instance: 'db-1' }]);
    const l1 = await until(() => pagesAbout('DatabaseDown').length >= 2 && pagesAbout('DatabaseDown'), 'the L1 page');
    const l1At = Date.now();
    const l1Person = l1[0]!.split(':')[1]!;
    expect(l1).toEqual([`app:${l1Person}`, `phone:${l1Person}`]);
    // Killed between L1 and L2: once L1 is done, which its round shows by sending the chat card after the page. (A
    // kill in the middle of L1 is another case: L1's calls are then taken over when their lease runs out.)
    await until(() => cardsAbout('DatabaseDown').some((card) => receiver(card)!.startsWith('oc_')), 'L1 done');

    await runtime!.kill('SIGKILL');
    await startRuntime();

    const l2 = await until(
      () => pagesAbout('DatabaseDown').find((page) => page.startsWith('phone:') && !page.endsWith(l1Person)),
      'the L2 page after the restart',
      (L2_AFTER_S + 30) * 1000,
    );
    expect(Date.now() - l1At).toBeGreaterThanOrEqual((L2_AFTER_S - 1) * 1000);
    const l2Person = l2.split(':')[1]!;
    const incidentId = incidentIdOf(cardsAbout('DatabaseDown')[0]!);
    expect(await say(`/incident ack ${incidentId}`)).toContain('已确认');
    await pause((L3_AFTER_S - L2_AFTER_S + 4) * 1000);
    await sync();
    expect(pagesAbout('DatabaseDown')).toEqual([
      `app:${l1Person}`,
      `phone:${l1Person}`,
      `app:${l2Person}`,
      `phone:${l2Person}`,
    ]);
  }, 120_000);
});

describe('flapping and muting', () => {
  it('six fire/resolve cycles make one incident with one card per target, paged once, marked 抖动中', async () => {
    const flapping = { alertname: 'LinkFlapping', service: 'edge', severity: 'critical', instance: 'sw-1' };
    for (let cycle = 0; cycle < 6; cycle++) {
      await fire([flapping]);
      await pause(2000);
      await fire([flapping], true);
      await pause(2000);
    }
    const cards = await until(() => {
      const sent = cardsAbout('LinkFlapping');
      return sent.some((card) => latest(card).includes('抖动中')) && sent;
    }, 'the card marked 抖动中');
    const targets = cards.map(receiver);
    expect(new Set(targets).size).toBe(targets.length); // one card per target
    expect(pagesAbout('LinkFlapping').filter((page) => page.startsWith('phone:'))).toHaveLength(1);
    expect(latest(cards.find((card) => receiver(card) === CHAT)!)).toMatch(/恢复后再次触发 \d+ 次/);
  }, 60_000);

  it('a warning inhibited by ServiceDown is carded within 5 s of ServiceDown resolving', async () => {
    const down = { alertname: 'ServiceDown', service: 'inventory', severity: 'critical', instance: 'inv-1' };
    const slow = { alertname: 'InventorySlow', service: 'inventory', severity: 'warning', instance: 'inv-1' };
    await fire([down]);
    await until(() => cardsAbout('ServiceDown').length > 0, 'the ServiceDown card');
    await fire([slow]);
    await pause(4000);
    await sync();
    expect(cardsAbout('InventorySlow')).toEqual([]); // muted while ServiceDown fires
    await fire([down], true);
    const chatCard = cardsAbout('ServiceDown').find((card) => receiver(card) === CHAT)!;
    const green = await until(
      () => patchesOf(chatCard.messageId!).find((patch) => JSON.parse(content(patch)).header.template === 'green'),
      'ServiceDown resolved',
    );
    const [slowCard] = await until(
      () => cardsAbout('InventorySlow').length > 0 && cardsAbout('InventorySlow'),
      'the warning card',
    );
    const delay = Date.parse(slowCard!.at) - Date.parse(green.at);
    expect(delay).toBeLessThanOrEqual(5000);
  }, 60_000);
});
