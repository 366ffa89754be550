/**
 * npm run bench:pipeline [-- --alerts 20000 --duplicates 0.9 --concurrency 16 --rate 0]
 *
 * --rate paces ingest at that many alerts/s (0: as fast as ingest accepts them). Unpaced, the queues back up and the
 * latency measures the backlog; paced below the throughput, it measures the pipeline itself.
 *
 * Pushes Alertmanager webhooks through HTTP ingest → SQS → dedup → SQS → router → the Feishu outbox of a local
 * runtime, and prints throughput, ingest→card latency, DynamoDB writes and SQS requests per alert, and the minified
 * size of each function's bundle. Figures, not assertions: compare them with the goals in the README.
 */
import { parseArgs } from 'node:util';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { bundleSizes } from './bundles.js';
import { documentClient } from '../../lib/store/dynamo.js';
import { sqsClient } from '../../lib/store/sqs-queue.js';

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: process.env.BENCH_ALERTS ?? '20000' },
    duplicates: { type: 'string', default: '0.9' },
    concurrency: { type: 'string', default: '16' },
    pollers: { type: 'string', default: '4' },
    'per-request': { type: 'string', default: '10' },
    rate: { type: 'string', default: '0' },
  },
});
const total = Number(values.alerts);
const unique = Math.max(1, Math.round(total * (1 - Number(values.duplicates))));
const perRequest = Number(values['per-request']);
const token = 'bench-token';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const runtime = new LocalRuntime({
    quiet: true,
    alertToken: token,
    pollers: Number(values.pollers),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  });
  await runtime.start();
  // The functions run in this process and share these clients: count what they send.
  const writes: Record<string, number> = {};
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string };
      if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(context.commandName ?? '')) {
        const key = `${input.TableName ?? '?'}`;
        writes[key] = (writes[key] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountWrites' },
  );
  const sqsSends: Record<string, number> = {};
  sqsClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (/^Send/.test(context.commandName ?? '')) {
        const queue = String((args.input as { QueueUrl?: string }).QueueUrl)
          .split('/')
          .pop()!;
        sqsSends[queue] = (sqsSends[queue] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountSends' },
  );

  // 'unique' distinct alerts, each sent total/unique times, shuffled so duplicates interleave like HA peers and
  // repeats.
  const events = Array.from({ length: total }, (_, i) => i % unique);
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  const startsAt = new Date().toISOString();
  const firstSent = new Map<number, number>();
  const payload = (ids: number[]) => ({
    version: '4',
    groupKey: '{}:{alertname="bench"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'openclaw',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench:9093',
    alerts: ids.map((id) => ({
      status: 'firing',
      labels: {
        alertname: `BenchAlert${id}`,
        service: 'bench',
        severity: id % 10 === 0 ? 'critical' : 'warning',
        instance: `node-${id % 50}:9100`,
      },
      annotations: { summary: `bench alert ${id}` },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.bench:9090/graph?g0.expr=up${id}`,
    })),
  });
  const batches: number[][] = [];
  for (let i = 0; i < events.length; i += perRequest) batches.push(events.slice(i, i + perRequest));

  const started = Date.now();
  const rate = Number(values.rate);
  let next = 0;
  let rejected = 0;
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < batches.length) {
        const index = next++;
        const ids = batches[index]!;
        if (rate > 0) {
          const due = started + ((index * perRequest) / rate) * 1000;
          if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        }
        const at = Date.now();
        for (const id of ids) if (!firstSent.has(id)) firstSent.set(id, at);
        const response = await fetch(`${runtime.url}/alerts/alertmanager`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload(ids)),
        });
        if (response.status !== 202) rejected++;
        await response.arrayBuffer();
      }
    }),
  );
  const ingested = Date.now();

  // Every distinct alert ends as a card in the outbox (to the chat: the first target of the default route).
  const cardAt = new Map<number, number>();
  const deadline = Date.now() + 10 * 60_000;
  let scanned = 0;
  while (cardAt.size < unique && Date.now() < deadline) {
    for (; scanned < runtime.outbox.length; scanned++) {
      const entry = runtime.outbox[scanned]!;
      const body = entry.body as { receive_id?: string; content?: string } | undefined;
      if (
        entry.method !== 'POST' ||
        !entry.path.startsWith('/open-apis/im/v1/messages?') ||
        body?.receive_id !== 'oc_ops_alerts'
      )
        continue;
      const id = Number(/BenchAlert(\d+)/.exec(body.content ?? '')?.[1]);
      if (!cardAt.has(id)) cardAt.set(id, Date.parse(entry.at));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Done when every alert has been through dedup and routing: both queues empty, nothing in flight.
  for (;;) {
    const depths = await Promise.all(['AlertsQueue', 'NotifyQueue'].map((queue) => runtime.queueDepth(queue)));
    if (depths.every((d) => d.visible === 0 && d.inFlight === 0) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const finished = Date.now();
  const latencies = [...cardAt].map(([id, at]) => at - firstSent.get(id)!).sort((a, b) => a - b);
  const cardsSent = runtime.outbox.filter(
    (e) => e.method === 'POST' && e.path.startsWith('/open-apis/im/v1/messages?'),
  ).length;
  await runtime.stop();

  const dedupTable = [...runtime.tableNames.values()].find((t) => t.endsWith('-dedup'))!;
  const alertsQueue = runtime.queueUrls.get('AlertsQueue')!.split('/').pop()!;
  const totalWrites = Object.values(writes).reduce((a, b) => a + b, 0);
  const totalSends = Object.values(sqsSends).reduce((a, b) => a + b, 0);
  const sizes = await bundleSizes();
  const seconds = (finished - started) / 1000;

  const lines = [
    `alerts sent:                 ${total} (${unique} distinct, ${(100 * (1 - unique / total)).toFixed(0)} % duplicates, ${perRequest} per webhook, ${values.concurrency} concurrent, ${rate > 0 ? `paced at ${rate}/s` : 'unpaced'})`,
    `rejected deliveries:         ${rejected}`,
    `cards:                       ${cardAt.size}/${unique} distinct alerts carded (${cardsSent} card sends in all)`,
    `throughput:                  ${(total / seconds).toFixed(0)} alerts/s end to end (${(total / ((ingested - started) / 1000)).toFixed(0)} alerts/s accepted by ingest)`,
    `ingest→card latency:         p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
    `DynamoDB writes per alert:   ${((writes[dedupTable] ?? 0) / total).toFixed(3)} in dedup (${writes[dedupTable] ?? 0}), ${(totalWrites / total).toFixed(3)} in all (${JSON.stringify(writes)})`,
    `SQS sends per alert:         ${((sqsSends[alertsQueue] ?? 0) / total).toFixed(3)} at ingest (${sqsSends[alertsQueue] ?? 0}), ${(totalSends / total).toFixed(3)} in all (${JSON.stringify(sqsSends)})`,
    'bundle sizes (minified / gzip):',
    ...Object.entries(sizes).map(
      ([name, s]) => `  ${name.padEnd(14)} ${(s.minified / 1024).toFixed(1)} KB / ${(s.gzip / 1024).toFixed(1)} KB`,
    ),
  ];
  console.log(lines.join('\n'));
  if (cardAt.size < unique) process.exitCode = 1;
}

await main();
