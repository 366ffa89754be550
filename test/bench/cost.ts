/**
 * npm run cost [-- --groups 150 --members 4 --rate 10]
 *
 * What OpenClaw costs on AWS, worked out from what it does rather than guessed: alerts go through the local runtime
 * (the same functions, one process) as an Alertmanager HA pair sends them, and every call the functions make is
 * counted at the SDK clients (counters.ts): DynamoDB request units from the real item sizes, index writes included,
 * SQS requests in 64 KB chunks, log bytes as written, invocations and their durations. The figures are priced at AWS
 * list prices for us-east-1 and ap-southeast-1 (the default region of serverless.yml), with the monthly part (long
 * polls, the every-minute sweep, alarms, the dashboard, the secret) read from serverless.yml and its resources.
 * Prints a table (the README's "Cost" section holds a copy) and says what drives each total.
 */
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { lambdaContext } from '../../infra/local/lambda.js';
import { LocalRuntime, projectRoot } from '../../infra/local/runtime.js';
import { cloudFormationResources, loadServerlessConfig } from '../../infra/local/serverless-config.js';
import { WAR_ROOM_POST } from '../../lib/incidents/war-room.js';
import { EMF_CHANNEL } from '../../lib/lambda/metrics.js';
import { alertmanagerWebhook } from '../support/alertmanager.js';
import { countBilled, indexEntry, itemBytes, uncountedDynamo, type TableDefinition } from './counters.js';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: '150' },
    members: { type: 'string', default: '4' },
    rate: { type: 'string', default: '10' },
  },
});
const groups = Number(values.groups);
const members = Number(values.members);
/** Webhooks a second: Alertmanager sends a group's notification at a time, never a storm's worth at once. */
const rate = Number(values.rate);
const HA_PEERS = 2;

/**
 * AWS list prices, on demand, from the service pricing pages (aws.amazon.com/<service>/pricing), as of 2025-06
 * (DynamoDB after its 2024-11-01 cut of on-demand prices). Free tiers are left out. Lambda is arm64 (serverless.yml).
 */
const PRICES = {
  'us-east-1': {
    lambdaRequest: 0.2 / 1e6,
    lambdaGbSecond: 0.0000133334,
    httpApiRequest: 1.0 / 1e6,
    sqsRequest: 0.4 / 1e6,
    dynamoWriteUnit: 0.625 / 1e6,
    dynamoReadUnit: 0.125 / 1e6,
    dynamoStorageGbMonth: 0.25,
    dynamoBackupGbMonth: 0.2,
    logIngestGb: 0.5,
    secretMonth: 0.4,
    secretCall: 0.05 / 1e4,
    metricMonth: 0.3,
    alarmMetricMonth: 0.1,
    dashboardMonth: 3.0,
  },
  'ap-southeast-1': {
    lambdaRequest: 0.2 / 1e6,
    lambdaGbSecond: 0.0000133334,
    httpApiRequest: 1.0 / 1e6,
    sqsRequest: 0.4 / 1e6,
    dynamoWriteUnit: 0.7125 / 1e6,
    dynamoReadUnit: 0.1425 / 1e6,
    dynamoStorageGbMonth: 0.285,
    dynamoBackupGbMonth: 0.228,
    logIngestGb: 0.67,
    secretMonth: 0.4,
    secretCall: 0.05 / 1e4,
    metricMonth: 0.3,
    alarmMetricMonth: 0.1,
    dashboardMonth: 3.0,
  },
};
type Prices = (typeof PRICES)['us-east-1'];

const MONTH_S = 30 * 86_400;
/** Lambda's own lines per invocation (START, END, REPORT with durations and memory): about this many bytes. */
const PLATFORM_LOG_BYTES = 270;
/** What Lambda puts before each console line in its text log format: a time, the request id and the level. */
const CONSOLE_PREFIX_BYTES = 68;
/** An SQS event source long-polls 20 s at a time (not configurable), with this many pollers when idle. */
const LONG_POLL_S = 20;
/**
 * AWS: an idle SQS event source scales back to five concurrent pollers and "can optimize to as few as 2", but not when
 * it has a maximum concurrency (docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html). Taken as 2 and 5.
 */
const IDLE_POLLERS = { optimised: 2, withMaximumConcurrency: 5 };
/** Secrets are cached five minutes per container (lib/root/secrets.ts). */
const SECRET_CACHE_S = 300;
/** The functions on the alert path that read the secret: ingest (the tokens) and the incident worker (Feishu's). */
const SECRET_READERS = ['alert-ingest', 'incident-timers'];
/** HTTP API detailed metrics per route: Count, 4xx, 5xx, Latency, IntegrationLatency, DataProcessed. */
const ROUTE_METRICS = 6;
/** DynamoDB stores 100 bytes of its own with every item, in the table and in each index it is in. */
const ITEM_OVERHEAD_BYTES = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
const total = (record: Record<string, number>) => sum(Object.values(record));

/** The functions' log output in this process, as CloudWatch Logs would ingest it, and their invocation times. */
class LogMeter {
  bytes = 0;
  consoleLines = 0;
  emfBytes = 0;
  readonly durations = new Map<string, number[]>();
  readonly series = new Set<string>();
  private pending = '';

  constructor() {
    const writer = (stream: NodeJS.WriteStream) =>
      ((chunk: string | Uint8Array) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        this.bytes += Buffer.byteLength(text);
        this.pending += text;
        const lines = this.pending.split('\n');
        this.pending = lines.pop()!;
        for (const line of lines) this.line(line);
        return true;
      }) as typeof stream.write;
    process.stdout.write = writer(process.stdout);
    process.stderr.write = writer(process.stderr);
    subscribe(EMF_CHANNEL, (line) => this.emf(String(line)));
  }

  /** The totals so far, to subtract one phase from another. */
  snapshot() {
    const durations = Object.fromEntries([...this.durations].map(([name, list]) => [name, [...list]]));
    return { bytes: this.bytes, consoleLines: this.consoleLines, emfBytes: this.emfBytes, durations };
  }

  private line(line: string) {
    this.consoleLines += 1;
    try {
      const entry = JSON.parse(line) as { function?: string; ms?: number; message?: string };
      if (
        entry.function &&
        typeof entry.ms === 'number' &&
        /^(invocation done|request rejected|invocation failed)$/.test(entry.message ?? '')
      )
        this.durations.set(entry.function, [...(this.durations.get(entry.function) ?? []), entry.ms]);
    } catch {
      // Not a JSON line: its bytes count all the same.
    }
  }

  private emf(line: string) {
    this.emfBytes += Buffer.byteLength(line) + 1;
    const document = JSON.parse(line) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    for (const directive of document._aws.CloudWatchMetrics) {
      const dimensions = directive.Dimensions[0]!.map((name) => `${name}=${String(document[name])}`).join(',');
      for (const { Name } of directive.Metrics) this.series.add(`${Name}{${dimensions}}`);
    }
  }
}

const restore = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr),
};
const print = (text: string) => void restore.stdout(`${text}\n`);

async function main() {
  const config = loadServerlessConfig(join(projectRoot, 'serverless.yml'), {
    stage: 'local',
    region: 'us-east-1',
    env: {},
  });
  const resources = cloudFormationResources(config);
  const functions = config.functions as Record<string, { memorySize?: number; events?: Record<string, any>[] }>;
  const memoryGb = (name: string) => (functions[name]?.memorySize ?? config.provider.memorySize ?? 1024) / 1024;
  const tables = Object.values(resources)
    .filter((r) => r.Type === 'AWS::DynamoDB::Table')
    .map((r) => r.Properties as TableDefinition);

  const token = 'cost-token';
  const runtime = new LocalRuntime({
    quiet: true,
    alertToken: token,
    // Logs as in AWS (info), and the every-minute sweep measured on its own below rather than inside the alerts.
    env: { LOG_LEVEL: 'info' },
    scheduleEveryMs: 3_600_000,
  });
  await runtime.start();
  const logs = new LogMeter();
  const counts = countBilled(tables, runtime.env.AWS_ENDPOINT_URL_DYNAMODB!);
  const snapshot = () => ({
    logs: logs.snapshot(),
    invocations: Object.fromEntries(runtime.invocations),
    tableWrites: { ...counts.writeUnits },
    indexWrites: { ...counts.indexWriteUnits },
    readUnits: total(counts.readUnits),
    sqsBilled: total(counts.sqsBilled),
    futureTimerHops: counts.futureTimerHops,
  });
  type Snapshot = ReturnType<typeof snapshot>;
  const since = (start: Snapshot, end: Snapshot = snapshot()) => {
    const invocations = Object.fromEntries(
      Object.entries(end.invocations).map(([name, n]) => [name, n - (start.invocations[name] ?? 0)]),
    );
    const durations = Object.fromEntries(
      Object.entries(end.logs.durations).map(([name, list]) => [
        name,
        list.slice(start.logs.durations[name]?.length ?? 0),
      ]),
    );
    const byTable = (end: Record<string, number>, start: Record<string, number>) =>
      Object.fromEntries(Object.entries(end).map(([table, units]) => [table, units - (start[table] ?? 0)]));
    const tableWrites = byTable(end.tableWrites, start.tableWrites);
    const indexWrites = byTable(end.indexWrites, start.indexWrites);
    return {
      invocations,
      durations,
      tableWrites,
      indexWrites,
      writeUnits: total(tableWrites) + total(indexWrites),
      logBytes: end.logs.bytes - start.logs.bytes,
      consoleLines: end.logs.consoleLines - start.logs.consoleLines,
      emfBytes: end.logs.emfBytes - start.logs.emfBytes,
      readUnits: end.readUnits - start.readUnits,
      sqsBilled: end.sqsBilled - start.sqsBilled,
      futureTimerHops: end.futureTimerHops - start.futureTimerHops,
    };
  };

  // The sweep of an idle deployment, five times over: what each of its 43,200 runs a month costs.
  await sleep(2000);
  const sweepStart = snapshot();
  const { handler: sweep } = (await import('../../functions/timer-sweep.js')) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  const sweeps = 5;
  for (let i = 0; i < sweeps; i++) {
    await sweep(
      { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} },
      lambdaContext({ name: 'timer-sweep', handler: sweep, timeoutMs: 30_000 }),
    );
  }
  const idle = since(sweepStart);

  // Alerts: each group's alerts fire and later resolve, every notification sent by both HA peers.
  const alertsStart = snapshot();
  const name = (g: number) => `CostProbe${String(g).padStart(4, '0')}`;
  const alerts = (g: number) =>
    Array.from({ length: members }, (_, m) => ({
      labels: { service: 'cost', severity: g % 5 === 0 ? 'critical' : 'warning', instance: `node-${m}:9100` },
      summary: `cost probe ${g}/${m}`,
    }));
  let webhooks = 0;
  const send = async (status: 'firing' | 'resolved') => {
    const started = Date.now();
    let index = 0;
    for (let g = 0; g < groups; g++) {
      for (let peer = 0; peer < HA_PEERS; peer++) {
        const due = started + index++ * (1000 / rate);
        if (due > Date.now()) await sleep(due - Date.now());
        const response = await fetch(`${runtime.url}/alerts/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(alertmanagerWebhook(name(g), status, alerts(g))),
        });
        if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
        webhooks += 1;
      }
    }
  };
  /** Done when every group's latest card is as `done` says and the alert path's queues stay empty for a while. */
  const settled = async (done: (card: string) => boolean) => {
    const deadline = Date.now() + 10 * 60_000;
    let quiet = 0;
    while (quiet < 4) {
      if (Date.now() > deadline) throw new Error('the alerts did not settle within 10 minutes');
      await sleep(500);
      const latest = new Map<number, string>();
      for (const entry of runtime.outbox) {
        const content = (entry.body as { content?: string } | undefined)?.content;
        const g = Number(/CostProbe(\d{4})/.exec(content ?? '')?.[1]);
        // A critical group's war room also hears of it (事件进展 posts): only its incident cards say how it stands.
        if (content?.includes(WAR_ROOM_POST)) continue;
        if (content && (entry.status ?? 200) === 200 && !Number.isNaN(g)) latest.set(g, content);
      }
      const cards = Array.from({ length: groups }, (_, g) => latest.get(g));
      const depths = await Promise.all(['AlertsQueue', 'NotifyQueue', 'TimersQueue'].map((q) => runtime.queueDepth(q)));
      const idleQueues = depths.every((d) => d.visible === 0 && d.inFlight === 0);
      quiet = cards.every((card) => card && done(card)) && idleQueues ? quiet + 1 : 0;
    }
  };
  await send('firing');
  await settled(() => true);
  await send('resolved');
  await settled((card) => card.includes('"template":"green"'));
  const run = since(alertsStart);
  const alertsSent = webhooks * members;

  // What the run left stored: bytes per alert, in the tables and in their indexes.
  const aside = uncountedDynamo(runtime.env.AWS_ENDPOINT_URL_DYNAMODB!);
  let storedBytes = 0;
  const itemSizes = new Map<string, { bytes: number; items: number }>();
  for (const table of tables) {
    let start: Record<string, any> | undefined;
    do {
      const page = await aside.send(new ScanCommand({ TableName: table.TableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const bytes = itemBytes(item);
        const entries = (table.GlobalSecondaryIndexes ?? []).map((index) => indexEntry(table, index, item));
        for (const entry of [item, ...entries]) if (entry) storedBytes += itemBytes(entry) + ITEM_OVERHEAD_BYTES;
        const size = itemSizes.get(table.TableName) ?? { bytes: 0, items: 0 };
        itemSizes.set(table.TableName, { bytes: size.bytes + bytes, items: size.items + 1 });
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  await runtime.stop();

  // Per alert, from the run.
  const sqsFunctions = new Set(Object.keys(functions).filter((n) => functions[n]!.events?.some((e) => e.sqs)));
  const gbSeconds = (durations: Record<string, number[]>) =>
    sum(Object.entries(durations).map(([fn, list]) => (sum(list.map((ms) => Math.max(1, ms))) / 1000) * memoryGb(fn)));
  const workerMs = run.durations['incident-timers'] ?? [];
  const hopGbSeconds =
    run.futureTimerHops * (sum(workerMs) / Math.max(1, workerMs.length) / 1000) * memoryGb('incident-timers');
  const batches = sum(
    Object.entries(run.invocations)
      .filter(([fn]) => sqsFunctions.has(fn))
      .map(([, n]) => n),
  );
  const perAlert = {
    apiRequests: webhooks / alertsSent,
    invocations: (total(run.invocations) + run.futureTimerHops) / alertsSent,
    gbSeconds: (gbSeconds(run.durations) + hopGbSeconds) / alertsSent,
    // Sends as billed; the event source's receive and delete for each batch it hands over; far-off timers' hops.
    sqsRequests: (run.sqsBilled + 2 * batches + 3 * run.futureTimerHops) / alertsSent,
    writeUnits: run.writeUnits / alertsSent,
    readUnits: run.readUnits / alertsSent,
    logBytes:
      (run.logBytes +
        run.consoleLines * CONSOLE_PREFIX_BYTES +
        run.emfBytes +
        (total(run.invocations) + run.futureTimerHops) * PLATFORM_LOG_BYTES) /
      alertsSent,
    storedBytes: storedBytes / alertsSent,
  };

  // The idle month, from serverless.yml and what one sweep costs.
  const sweepRate = /^rate\((\d+) minutes?\)$/.exec(String(functions['timer-sweep']!.events![0]!.schedule));
  const sweepsPerMonth = MONTH_S / 60 / Number(sweepRate?.[1] ?? 1);
  const sweepMs = idle.durations['timer-sweep'] ?? [];
  const perSweep = {
    gbSeconds: gbSeconds({ 'timer-sweep': sweepMs }) / sweeps,
    readUnits: idle.readUnits / sweeps,
    logBytes: (idle.logBytes + idle.consoleLines * CONSOLE_PREFIX_BYTES + idle.emfBytes) / sweeps + PLATFORM_LOG_BYTES,
  };
  const eventSources = Object.values(functions).flatMap((fn) => (fn.events ?? []).filter((e) => e.sqs));
  const pollers = sum(
    eventSources.map((e) => (e.sqs.maximumConcurrency ? IDLE_POLLERS.withMaximumConcurrency : IDLE_POLLERS.optimised)),
  );
  const longPolls = (pollers * MONTH_S) / LONG_POLL_S;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
  const alarmMetrics = sum(
    ofType('AWS::CloudWatch::Alarm').map((a) => a.Properties.Metrics?.filter((m: any) => m.MetricStat).length ?? 1),
  );
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  const secrets = ofType('AWS::SecretsManager::Secret').length;
  const routes = sum(Object.values(functions).map((fn) => (fn.events ?? []).filter((e) => e.httpApi).length));
  // Per-route metrics, when the stage has detailed metrics on (serverless.yml's extension of HttpApiStage).
  const stage = ([] as Record<string, any>[]).concat(config.resources).find((block) => block?.extensions?.HttpApiStage);
  const routeMetrics = stage?.extensions.HttpApiStage.Properties.DefaultRouteSettings?.DetailedMetricsEnabled
    ? routes * ROUTE_METRICS
    : 0;

  const money = (value: number) => `$${value.toFixed(2)}`;
  const regions = Object.keys(PRICES) as (keyof typeof PRICES)[];
  type Row = [string, (p: Prices) => number];
  const totalOf = (rows: Row[], region: keyof typeof PRICES) => sum(rows.map(([, cost]) => cost(PRICES[region])));
  /** A Markdown table (the README keeps a copy), with its total against the goal when there is one. */
  const table = (title: string, rows: Row[], goal?: number) => [
    `| ${title} | ${regions.join(' | ')} |`,
    `| --- | ${regions.map(() => '---:').join(' | ')} |`,
    ...rows.map(([label, cost]) => `| ${label} | ${regions.map((r) => money(cost(PRICES[r]))).join(' | ')} |`),
    `| **total**${goal === undefined ? '' : ` (goal ≤ ${money(goal)})`} | ${regions.map((r) => `**${money(totalOf(rows, r))}**`).join(' | ')} |`,
  ];
  /** Whether the goal is met, and if not by how much and what costs most. */
  const verdict = (what: string, rows: Row[], goal: number) => {
    const worst = Math.max(...regions.map((r) => totalOf(rows, r)));
    if (worst <= goal) return `${what}: the goal of ${money(goal)} is met.`;
    const [largest] = rows.reduce((a, b) => (b[1](PRICES['us-east-1']) > a[1](PRICES['us-east-1']) ? b : a));
    return `${what}: the goal of ${money(goal)} is missed by up to ${money(worst - goal)}; the largest part is ${largest}.`;
  };
  const M = 1e6;
  const perMillion: Row[] = [
    [
      `API Gateway HTTP API, ${perAlert.apiRequests.toFixed(3)} requests/alert`,
      (p) => M * perAlert.apiRequests * p.httpApiRequest,
    ],
    [
      `Lambda requests, ${perAlert.invocations.toFixed(3)} invocations/alert`,
      (p) => M * perAlert.invocations * p.lambdaRequest,
    ],
    [
      `Lambda compute, ${(perAlert.gbSeconds * 1000).toFixed(1)} GB-ms/alert`,
      (p) => M * perAlert.gbSeconds * p.lambdaGbSecond,
    ],
    [`SQS, ${perAlert.sqsRequests.toFixed(3)} requests/alert`, (p) => M * perAlert.sqsRequests * p.sqsRequest],
    [
      `DynamoDB writes, ${perAlert.writeUnits.toFixed(2)} WRU/alert (indexes included)`,
      (p) => M * perAlert.writeUnits * p.dynamoWriteUnit,
    ],
    [`DynamoDB reads, ${perAlert.readUnits.toFixed(2)} RRU/alert`, (p) => M * perAlert.readUnits * p.dynamoReadUnit],
    [
      `CloudWatch Logs, ${Math.round(perAlert.logBytes)} bytes/alert`,
      (p) => M * (perAlert.logBytes / 1e9) * p.logIngestGb,
    ],
  ];
  const sweepCost = (p: Prices) =>
    sweepsPerMonth *
    (p.lambdaRequest +
      perSweep.gbSeconds * p.lambdaGbSecond +
      perSweep.readUnits * p.dynamoReadUnit +
      (perSweep.logBytes / 1e9) * p.logIngestGb);
  const idleMonth: Row[] = [
    [`SQS long polls, ${eventSources.length} event sources with ${pollers} pollers`, (p) => longPolls * p.sqsRequest],
    [`timer-sweep, ${sweepsPerMonth.toLocaleString('en')} runs (Lambda, DynamoDB, logs)`, sweepCost],
    [`EventBridge schedule, ${sweepsPerMonth.toLocaleString('en')} events (scheduled rules are not billed)`, () => 0],
    [`CloudWatch alarms, ${alarmMetrics}`, (p) => alarmMetrics * p.alarmMetricMonth],
    [`CloudWatch dashboard, ${dashboards}`, (p) => dashboards * p.dashboardMonth],
    [`Secrets Manager secret, ${secrets}`, (p) => secrets * p.secretMonth],
  ];
  // The always-free allowances an account may have left: 10 alarm metrics, 3 dashboards, 1 million SQS requests;
  // the sweep's Lambda and logs fit in Lambda's and CloudWatch Logs' own.
  const idleWithFreeTier = (p: Prices) =>
    Math.max(0, longPolls - 1e6) * p.sqsRequest +
    sweepsPerMonth * perSweep.readUnits * p.dynamoReadUnit +
    Math.max(0, alarmMetrics - 10) * p.alarmMetricMonth +
    Math.max(0, dashboards - 3) * p.dashboardMonth +
    secrets * p.secretMonth;
  const secretReads = (SECRET_READERS.length * MONTH_S) / SECRET_CACHE_S;
  const inUse: Row[] = [
    [`custom metrics: ${logs.series.size} EMF series in this run`, (p) => logs.series.size * p.metricMonth],
    [
      `API detailed metrics: ${routeMetrics} (${routes} routes × ${ROUTE_METRICS}), when all are used`,
      (p) => routeMetrics * p.metricMonth,
    ],
    [
      `Secrets Manager, ${secretReads.toLocaleString('en')} reads (${SECRET_READERS.join(', ')}: one per 5 min)`,
      (p) => secretReads * p.secretCall,
    ],
  ];
  const storedGbPerMillion = (perAlert.storedBytes * M) / 1e9;
  const shortName = (table: string) => table.replace(/^[^-]+-[^-]+-/, '');

  const report = [
    `OpenClaw on AWS, at list prices (free tiers left out)`,
    ``,
    `Measured through the local runtime: ${alertsSent.toLocaleString('en')} alerts in ${webhooks} webhooks, ${groups * members} conditions in ${groups} Alertmanager groups of ${members} (every 5th group critical, so paged), each firing and then resolving, every notification sent by both peers of an HA pair, ${rate} webhooks/s. An alert is one alert in a webhook: a firing or a resolution, repeats included.`,
    `Per alert: ${perAlert.apiRequests.toFixed(3)} API requests; ${perAlert.invocations.toFixed(3)} invocations (${Object.entries(
      run.invocations,
    )
      .filter(([, n]) => n > 0)
      .map(([f, n]) => `${f} ${n}`)
      .join(
        ', ',
      )}); ${(perAlert.gbSeconds * 1000).toFixed(1)} GB-ms; ${perAlert.sqsRequests.toFixed(3)} SQS requests; ${perAlert.readUnits.toFixed(2)} RRU; ${Math.round(perAlert.logBytes)} log bytes; ${perAlert.writeUnits.toFixed(2)} WRU, by table (of which its indexes): ${Object.entries(
      run.tableWrites,
    )
      .filter(([, units]) => units > 0)
      .map(
        ([t, units]) =>
          `${shortName(t)} ${((units + (run.indexWrites[t] ?? 0)) / alertsSent).toFixed(2)} (${((run.indexWrites[t] ?? 0) / alertsSent).toFixed(2)})`,
      )
      .join(', ')}.`,
    `Mean item size: ${[...itemSizes].map(([t, s]) => `${shortName(t)} ${Math.round(s.bytes / s.items)} bytes`).join(', ')}. Mean invocation: ${Object.entries(
      run.durations,
    )
      .filter(([, list]) => list.length)
      .map(([f, list]) => `${f} ${(sum(list) / list.length).toFixed(0)} ms`)
      .join(', ')}.`,
    ``,
    ...table('Per million alerts', perMillion, 3),
    ``,
    ...table('Idle month (30 days, no alerts)', idleMonth, 5),
    ``,
    ...table('While in use, per month, whatever the volume', inUse),
    ``,
    verdict('Per million alerts', perMillion, 3),
    `${verdict('Idle month', idleMonth, 5)} In an account with CloudWatch's and SQS's always-free allowances otherwise unused (10 alarm metrics, 3 dashboards, 1 million requests): ${regions.map((r) => `${money(idleWithFreeTier(PRICES[r]))} in ${r}`).join(', ')}.`,
    `While in use: metrics are billed by the hour they are published, so a month with alerts every day pays for the whole month.`,
    `Kept data: ${storedGbPerMillion.toFixed(2)} GB per million alerts in DynamoDB (tables and index copies), ${regions.map((r) => `${money(storedGbPerMillion * (PRICES[r].dynamoStorageGbMonth + PRICES[r].dynamoBackupGbMonth))} in ${r}`).join(', ')} for each month it is kept with point-in-time recovery (resolved alerts and incidents for 90 days).`,
    ``,
    `Assumptions: Lambda billed for the durations measured here (arm64, at least 1 ms; Lambda's share of a vCPU at 512 MB is slower at CPU work than this machine, and the local stand-ins answer in about the time DynamoDB and SQS do); ${PLATFORM_LOG_BYTES} bytes of Lambda's own log lines per invocation and ${CONSOLE_PREFIX_BYTES} bytes of prefix per console line; each SQS batch an event source hands over costs a receive and a delete; an idle SQS event source long-polls ${LONG_POLL_S} s at a time with ${IDLE_POLLERS.optimised} pollers, ${IDLE_POLLERS.withMaximumConcurrency} when it has a maximum concurrency; ${SECRET_READERS.join(' and ')} keep a warm container while alerts flow.`,
  ];
  print(report.join('\n'));
}

await main();
