/**
 * Delivery under faults, as a new user would test it: `npm start` as its own process, a real Alertmanager in front of
 * it, and a Feishu stand-in outside it (so that its record of every call survives the runtime being killed) that fails
 * a share of calls. Alerts are fired and resolved through Alertmanager's API while the runtime may be killed with
 * kill -9 and started again on the same data; then every alert's cards and pages are counted from the stand-in's
 * record. Used by `npm run chaos` and, smaller, by an end-to-end test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FeishuStandin, type OutboxEntry } from '../../infra/local/feishu-standin.js';
import { freePort } from '../../infra/local/peers.js';
import { startAlertmanager } from './alertmanager.js';
import { configDirWith } from './config-dir.js';
import { RuntimeProcess } from './runtime-process.js';

export interface ChaosOptions {
  /** Distinct alerts, each its own incident; even ones are critical (paged), odd ones warnings. */
  alerts: number;
  /** Share of Feishu calls (0–1) that fail: HTTP 500, a hang past the client's timeout, or a reset. */
  faults: number;
  /** kill -9 of the runtime, spread over firing and resolving. */
  kills: number;
  /** How long to wait for every card to be delivered and green after the last resolution. */
  settleMs?: number;
  progress?: (line: string) => void;
  /** Where the runtime's output goes (each of its runs appended), and where the Feishu calls are written at the end
   * (one JSON line each), to see why something was lost. */
  logFile?: string;
}

export interface ChaosReport {
  alerts: number;
  criticals: number;
  /** Cards that should have been delivered: one per alert in its chat, and one to the on-call person per critical. */
  expectedCards: number;
  deliveredCards: number;
  /** Alerts with no card in their chat, and criticals with no card to the person paged. */
  lostInChat: number;
  lostDirect: number;
  /** Targets that got more than one card about the same alert. */
  doubled: number;
  /** Delivered cards whose last accepted version is not green, though every alert was resolved. */
  notGreen: number;
  /** Criticals whose phone never rang, and criticals it rang for more than once. */
  phoneMissing: number;
  phoneDoubled: number;
  /** Messages left in each dead-letter queue. */
  deadLetters: Record<string, number>;
  feishuCalls: number;
  failedCalls: number;
  kills: number;
  seconds: number;
}

const TOKEN = 'chaos-token';
const SHARDS = 10;
const nameOf = (i: number) => `Chaos${String(i).padStart(5, '0')}`;
const chatOf = (i: number) => `oc_chaos_${i % SHARDS}`;
const critical = (i: number) => i % 2 === 0;

/**
 * Ten routes, each its own chat, so that Feishu's 5 messages a second per chat is not what the run measures; one
 * escalation level (card, app and phone 加急 to the on-call person) and no repeat, so each critical rings once.
 */
function chaosConfig(dir: string) {
  const routes = Array.from({ length: SHARDS }, (_, shard) =>
    [
      `  - name: shard-${shard}`,
      '    match:',
      `      labels: ['shard="s${shard}"']`,
      `    chats: [${chatOf(shard)}]`,
      '    team: sre',
    ].join('\n'),
  );
  return configDirWith(dir, {
    // War rooms off: the run counts every message in a chat by its alert (rooms have their own exactly-once tests).
    'routing.yaml': ['collaboration:', '  warRoom:', '    severities: []', 'routes:', ...routes, ''].join('\n'),
    'escalation.yaml': [
      'policies:',
      '  default:',
      '    severities: [critical]',
      '    levels:',
      '      - { name: L1, notify: [oncall], channels: [card, urgent_app, urgent_phone] }',
      '',
    ].join('\n'),
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  // The runtime says the same: Lambda runs Node 22, this machine's Node 20 says nothing about the deployment.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const say = options.progress ?? (() => {});
  const workDir = mkdtempSync(join(tmpdir(), 'openclaw-chaos-'));
  const feishu = new FeishuStandin();
  feishu.faults = options.faults;
  const feishuServer = createServer((req, res) => void feishu.serve(req, res));
  const feishuPort = await freePort();
  await new Promise<void>((resolve) => feishuServer.listen(feishuPort, '127.0.0.1', resolve));
  const port = await freePort();
  const dataDir = join(workDir, 'data');
  const runtime = new RuntimeProcess(
    `http://127.0.0.1:${port}`,
    {
      PORT: String(port),
      LOCAL_DATA_DIR: dataDir,
      CONFIG_DIR: chaosConfig(join(workDir, 'config')),
      LOCAL_ALERT_TOKEN: TOKEN,
      FEISHU_APP_ID: 'cli_openclaw_chaos',
      FEISHU_APP_SECRET: 'chaos',
      FEISHU_DOMAIN: `http://127.0.0.1:${feishuPort}`,
      LOG_LEVEL: options.logFile ? 'info' : 'warn',
    },
    options.logFile,
  );
  let alertmanager: Awaited<ReturnType<typeof startAlertmanager>> | undefined;
  try {
    await runtime.start();
    alertmanager = await startAlertmanager({
      dir: workDir,
      webhook: `${runtime.url}/alerts/alertmanager`,
      token: TOKEN,
      groupInterval: '1s',
    });
    const amUrl = alertmanager.url;
    const post = async (indexes: number[], resolved: boolean) => {
      const endsAt = resolved ? { endsAt: new Date().toISOString() } : {};
      const body = indexes.map((i) => ({
        labels: {
          alertname: nameOf(i),
          service: 'chaos',
          severity: critical(i) ? 'critical' : 'warning',
          shard: `s${i % SHARDS}`,
          instance: `host-${i}`,
        },
        annotations: { summary: `${nameOf(i)} on host-${i}` },
        ...endsAt,
      }));
      const response = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`Alertmanager refused alerts: ${response.status} ${await response.text()}`);
    };

    // Firing, then about half again (as a source repeats itself), then resolving: batches of 25, with the kills
    // spread evenly over them.
    const all = Array.from({ length: options.alerts }, (_, i) => i);
    const batches = (indexes: number[]) =>
      Array.from({ length: Math.ceil(indexes.length / 25) }, (_, b) => indexes.slice(b * 25, b * 25 + 25));
    const steps = [
      ...batches(all).map((batch) => ({ batch, resolved: false })),
      ...batches(all.filter(() => Math.random() < 0.5)).map((batch) => ({ batch, resolved: false })),
      { settle: true },
      ...batches(all).map((batch) => ({ batch, resolved: true })),
    ];
    const killAt = new Set(
      Array.from({ length: options.kills }, (_, k) => Math.floor(((k + 1) * steps.length) / (options.kills + 1))),
    );
    let killed = 0;
    for (const [index, step] of steps.entries()) {
      if (killAt.has(index)) {
        await runtime.kill('SIGKILL');
        killed++;
        say(`kill -9 #${killed}, restarting on the same data`);
        await runtime.start();
      }
      if ('settle' in step) {
        // Alerts resolve a little after they were handled, as real ones do: once every chat has its card and every
        // critical has been phoned, or two minutes on (a page cut short by a kill is taken over after its lease).
        // Those still being retried then show a resolution overtaking them.
        await until(() => {
          const report = tally(feishu.outbox, options.alerts);
          return report.lostInChat + report.lostDirect + report.phoneMissing === 0;
        }, 120_000);
        say(`fired ${options.alerts} alerts; resolving`);
        continue;
      }
      await post(step.batch, step.resolved);
      await pause(200);
    }
    say('resolved all; waiting for every card to be delivered and green');
    await until(() => {
      const report = tally(feishu.outbox, options.alerts);
      return report.lostInChat + report.lostDirect + report.notGreen + report.phoneMissing === 0;
    }, options.settleMs ?? 240_000);
    // Late duplicates would come from retries still under way: give them time to show.
    await pause(10_000);
    const deadLetters = await deadLetterDepths(dataDir);
    return {
      ...tally(feishu.outbox, options.alerts),
      deadLetters,
      kills: killed,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nruntime log: ${runtime.log}`);
  } finally {
    if (options.logFile)
      writeFileSync(`${options.logFile}.feishu.jsonl`, feishu.outbox.map((entry) => JSON.stringify(entry)).join('\n'));
    await alertmanager?.stop();
    await runtime.kill();
    feishuServer.closeAllConnections();
    await new Promise((resolve) => feishuServer.close(resolve));
    rmSync(workDir, { recursive: true, force: true });
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await pause(500);
}

const accepted = (entry: OutboxEntry) => !entry.failed && (entry.status ?? 200) === 200;
const content = (entry: OutboxEntry) => String((entry.body as { content?: string } | undefined)?.content ?? '');

/** The cards Feishu accepted, by alert and receiver, and the alert each message is about (named in its card). */
function cardsOf(outbox: OutboxEntry[]) {
  const sends = outbox.filter(
    (entry) => entry.method === 'POST' && entry.path.startsWith('/open-apis/im/v1/messages?') && accepted(entry),
  );
  const alertOfMessage = new Map<string, number>();
  const cards = new Map<string, Set<string>>(); // `${alert} ${receiver}` → message ids
  for (const send of sends) {
    const match = /Chaos(\d{5})/.exec(content(send));
    if (!match) continue;
    const alert = Number(match[1]);
    alertOfMessage.set(send.messageId!, alert);
    const key = `${alert} ${(send.body as { receive_id: string }).receive_id}`;
    cards.set(key, (cards.get(key) ?? new Set()).add(send.messageId!));
  }
  return { sends, alertOfMessage, cards };
}

/** Alerts without a card in their chat, and criticals without one sent to a person. */
function lost(cards: Map<string, Set<string>>, alerts: number) {
  const directTo = new Set(
    [...cards.keys()].filter((key) => key.includes(' ou_')).map((key) => Number(key.split(' ')[0])),
  );
  let inChat = 0;
  let direct = 0;
  for (let i = 0; i < alerts; i++) {
    if (!cards.has(`${i} ${chatOf(i)}`)) inChat++;
    if (critical(i) && !directTo.has(i)) direct++;
  }
  return { inChat, direct };
}

/** What the stand-in's record says about each alert's cards and pages. */
function tally(outbox: OutboxEntry[], alerts: number): Omit<ChaosReport, 'deadLetters' | 'kills' | 'seconds'> {
  const { sends, alertOfMessage, cards } = cardsOf(outbox);
  const latest = new Map<string, string>();
  for (const send of sends) if (alertOfMessage.has(send.messageId!)) latest.set(send.messageId!, content(send));
  for (const entry of outbox) {
    const patched = /^\/open-apis\/im\/v1\/messages\/([^/?]+)$/.exec(entry.path)?.[1];
    if (entry.method === 'PATCH' && patched && accepted(entry) && latest.has(patched))
      latest.set(patched, content(entry));
  }
  const phoneCalls = new Map<number, number>();
  for (const entry of outbox) {
    const paged = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_phone/.exec(entry.path)?.[1];
    const alert = paged === undefined ? undefined : alertOfMessage.get(paged);
    if (alert !== undefined && accepted(entry)) phoneCalls.set(alert, (phoneCalls.get(alert) ?? 0) + 1);
  }
  const criticals = Array.from({ length: alerts }, (_, i) => i).filter(critical);
  const { inChat, direct } = lost(cards, alerts);
  return {
    alerts,
    criticals: criticals.length,
    expectedCards: alerts + criticals.length,
    deliveredCards: latest.size,
    lostInChat: inChat,
    lostDirect: direct,
    doubled: [...cards.values()].filter((ids) => ids.size > 1).length,
    notGreen: [...latest.values()].filter((card) => JSON.parse(card).header?.template !== 'green').length,
    phoneMissing: criticals.filter((i) => !phoneCalls.get(i)).length,
    phoneDoubled: criticals.filter((i) => (phoneCalls.get(i) ?? 0) > 1).length,
    feishuCalls: outbox.length,
    failedCalls: outbox.filter((entry) => entry.failed).length,
  };
}

/** Depth of every dead-letter queue of the runtime, read from the endpoint `npm start` wrote to local.env. */
async function deadLetterDepths(dataDir: string): Promise<Record<string, number>> {
  const endpoint = /AWS_ENDPOINT_URL_SQS='([^']+)'/.exec(readFileSync(join(dataDir, 'local.env'), 'utf8'))?.[1];
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  const depths: Record<string, number> = {};
  for (const url of QueueUrls.filter((url) => url.endsWith('-dlq'))) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    depths[
      url
        .split('/')
        .pop()!
        .replace(/^openclaw-\w+-/, '')
    ] =
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  sqs.destroy();
  return depths;
}
