/**
 * npm run bench:pipeline [-- --alerts 20000 --duplicates 0.9 --groups 200 --concurrency 16 --rate 0]
 * npm run bench:pipeline -- --storm      (20,000 distinct alerts in 200 groups: an alert storm)
 *
 * --rate paces ingest at that many alerts/s (0: as fast as ingest accepts them). Unpaced, the queues back up and the
 * latency measures the backlog; paced below the throughput, it measures the pipeline itself.
 *
 * Pushes Alertmanager webhooks (one group per webhook, as Alertmanager sends them) through HTTP ingest → SQS → dedup →
 * SQS → router → the Feishu outbox of a local runtime, and prints throughput, the time to drain, how soon cards show
 * their alerts, Feishu calls and cards per group and target, DynamoDB writes and SQS requests per alert, and the
 * minified size of each function's bundle. Figures, not assertions: compare them with the goals in the README.
 */
import { parseArgs } from 'node:util';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { bundleSizes } from './bundles.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WAR_ROOM_POST } from '../../lib/incidents/war-room.js';
import { documentClient } from '../../lib/store/dynamo.js';
import { countCalls } from './counters.js';

const { values } = parseArgs({
  options: {
    storm: { type: 'boolean', default: false },
    alerts: { type: 'string' },
    duplicates: { type: 'string' },
    groups: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    pollers: { type: 'string', default: '4' },
    'per-request': { type: 'string', default: '10' },
    rate: { type: 'string', default: '0' },
  },
});
const total = Number(values.alerts ?? process.env.BENCH_ALERTS ?? 20000);
const duplicates = Number(values.duplicates ?? (values.storm ? 0 : 0.9));
const unique = Math.max(1, Math.round(total * (1 - duplicates)));
const groups = Math.min(unique, Math.max(1, Number(values.groups ?? (values.storm ? 200 : Math.ceil(unique / 10)))));
const perRequest = Number(values['per-request']);
const token = 'bench-token';
/** The route's chat (config/routing.yaml's default route): every group's card goes there. */
const chat = 'oc_ops_alerts';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const groupOf = (id: number) => id % groups;
const shuffle = <T>(items: T[]) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
};

/**
 * The local DynamoDB stand-in's own ceiling, measured before the run on the same server: conditional writes a second,
 * 16 at a time (the pipeline's writes are conditional too), of small items. What the pipeline drains at is then
 * printed against it.
 */
async function writeCeiling(runtime: LocalRuntime, writes = 2000, concurrency = 16): Promise<number> {
  const table = [...runtime.tableNames.values()].find((name) => name.endsWith('-deliveries'))!;
  const db = documentClient();
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < writes) {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: `bench-ceiling#${next++}` },
            UpdateExpression: 'ADD calls :one',
            ConditionExpression: 'attribute_not_exists(calls) OR calls < :limit',
            ExpressionAttributeValues: { ':one': 1, ':limit': 5 },
          }),
        );
      }
    }),
  );
  return writes / ((Date.now() - started) / 1000);
}

/** Per function: how long its handler ran, and how long the messages it took had waited in its queue. */
const hops = new Map<string, { durations: number[]; waits: number[] }>();

async function main() {
  const runtime = new LocalRuntime({
    quiet: true,
    alertToken: token,
    pollers: Number(values.pollers),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    onInvocation: (fn, { durationMs, queueWaitMs = [] }) => {
      const hop = hops.get(fn) ?? hops.set(fn, { durations: [], waits: [] }).get(fn)!;
      hop.durations.push(durationMs);
      hop.waits.push(...queueWaitMs);
    },
  });
  await runtime.start();
  const ceiling = await writeCeiling(runtime);
  // The functions run in this process and share these clients: count what they send.
  const { writes, sqsSends } = countCalls();

  // 'unique' distinct alerts in 'groups' groups, each alert sent total/unique times. Alertmanager sends a group per
  // webhook, so each webhook carries alerts of one group; the webhooks are shuffled, so duplicates interleave like HA
  // peers and repeats, and groups grow side by side.
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const id = i % unique;
    byGroup.set(groupOf(id), [...(byGroup.get(groupOf(id)) ?? []), id]);
  }
  const batches = shuffle(
    [...byGroup.values()].flatMap((ids) => {
      shuffle(ids);
      return Array.from({ length: Math.ceil(ids.length / perRequest) }, (_, i) =>
        ids.slice(i * perRequest, (i + 1) * perRequest),
      );
    }),
  );
  const startsAt = new Date().toISOString();
  const firstSent = new Map<number, number>();
  const payload = (ids: number[]) => ({
    version: '4',
    groupKey: `{}:{alertname="Bench${groupOf(ids[0]!)}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'openclaw',
    groupLabels: { alertname: `Bench${groupOf(ids[0]!)}` },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench:9093',
    alerts: ids.map((id) => ({
      status: 'firing',
      labels: {
        alertname: `Bench${groupOf(id)}`,
        service: 'bench',
        severity: groupOf(id) % 10 === 0 ? 'critical' : 'warning',
        instance: `node-${id}:9100`,
      },
      annotations: { summary: `bench alert ${id}` },
      startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.bench:9090/graph?g0.expr=up${id}`,
    })),
  });

  // The k-th distinct alert of a group to be sent is on its card once the card counts k alerts.
  const membersSent: number[] = [];
  const sentInGroup = new Map<number, number>();
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
        for (const id of ids) {
          if (firstSent.has(id)) continue;
          firstSent.set(id, at);
          sentInGroup.set(id, (membersSent[groupOf(id)] = (membersSent[groupOf(id)] ?? 0) + 1));
        }
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

  // Done when every group's chat card counts all its alerts and nothing is left in the queues or in flight.
  const membersOf = Array.from({ length: groups }, (_, g) => new Set(byGroup.get(g)).size);
  const chatCards = new Map<string, number>(); // message id → group
  const shown: { at: number; count: number }[][] = Array.from({ length: groups }, () => []);
  const cardsPerTarget = new Map<string, Set<string>>(); // group→target: its message ids (a uuid retry is one card)
  let scanned = 0;
  const scan = () => {
    for (; scanned < runtime.outbox.length; scanned++) {
      const entry = runtime.outbox[scanned]!;
      const body = entry.body as { receive_id?: string; content?: string } | undefined;
      // A call Feishu refused (a rate limit) made no card and showed nothing; its retry is a call of its own.
      if (!body?.content || (entry.status ?? 200) !== 200) continue;
      // A critical group's war room hears of it too (事件进展 posts): those are not its incident's cards.
      if (body.content.includes(WAR_ROOM_POST)) continue;
      let group: number | undefined;
      if (entry.method === 'POST' && entry.path.startsWith('/open-apis/im/v1/messages?')) {
        group = Number(/Bench(\d+)/.exec(body.content)?.[1]);
        if (Number.isNaN(group)) continue;
        const key = `${group}→${body.receive_id}`;
        cardsPerTarget.set(key, (cardsPerTarget.get(key) ?? new Set()).add(entry.messageId ?? `${scanned}`));
        if (body.receive_id !== chat) continue;
        if (entry.messageId) chatCards.set(entry.messageId, group);
      } else if (entry.method === 'PATCH') {
        group = chatCards.get(entry.path.split('/').pop()!);
        if (group === undefined) continue;
      } else continue;
      shown[group]!.push({ at: Date.parse(entry.at), count: Number(/共 (\d+) 条/.exec(body.content)?.[1] ?? 0) });
    }
  };
  const upToDate = () => shown.every((cards, g) => (cards.at(-1)?.count ?? 0) >= membersOf[g]!);
  const deadline = Date.now() + 15 * 60_000;
  const writesSoFar = () => Object.values(writes).reduce((a, b) => a + b, 0);
  const emptied = async (queues: string[]) =>
    (await Promise.all(queues.map((queue) => runtime.queueDepth(queue)))).every(
      (depth) => depth.visible === 0 && depth.inFlight === 0,
    );
  // The alert path (dedup and router) is done with the storm when its two queues are empty; the cards that follow go
  // out at Feishu's pace (5 new messages a second to one chat), which no store makes faster.
  let pathDrained: { at: number; writes: number } | undefined;
  for (;;) {
    scan();
    if (!pathDrained && (await emptied(['AlertsQueue', 'NotifyQueue'])))
      pathDrained = { at: Date.now(), writes: writesSoFar() };
    if (upToDate() || Date.now() > deadline) {
      if ((await emptied(['AlertsQueue', 'NotifyQueue'])) || Date.now() > deadline) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const finished = Date.now();
  scan();
  // Alert → card: until its group's chat card first counts as many alerts as had been sent when it was.
  const latencies = [...sentInGroup]
    .map(([id, k]) => {
      const at = shown[groupOf(id)]!.find((card) => card.count >= k)?.at;
      return at === undefined ? Infinity : at - firstSent.get(id)!;
    })
    .sort((a, b) => a - b);
  // Group → first card: how soon the chat hears of a problem.
  const firstCard = shown
    .map((cards, g) => (cards[0]?.at ?? Infinity) - Math.min(...byGroup.get(g)!.map((id) => firstSent.get(id)!)))
    .sort((a, b) => a - b);
  const feishuCalls = runtime.outbox.filter((e) => e.path.startsWith('/open-apis/im/')).length;
  const callsByKind = runtime.outbox.reduce<Record<string, number>>((counts, e) => {
    const kind =
      (e.status ?? 200) !== 200
        ? 'refused'
        : e.path.startsWith('/open-apis/auth/')
          ? 'token'
          : e.method === 'POST' && e.path.startsWith('/open-apis/im/v1/messages?')
            ? 'send'
            : /\/urgent_/.test(e.path)
              ? 'urgent'
              : e.path.endsWith('/reply')
                ? 'reply'
                : e.method === 'PATCH'
                  ? 'patch'
                  : 'other';
    counts[kind] = (counts[kind] ?? 0) + 1;
    return counts;
  }, {});
  const perTarget = [...cardsPerTarget.values()].map((cards) => cards.size);
  const targets = new Set([...cardsPerTarget.keys()].map((key) => key.split('→')[1]));
  await runtime.stop();

  const dedupTable = [...runtime.tableNames.values()].find((t) => t.endsWith('-dedup'))!;
  const alertsQueue = runtime.queueUrls.get('AlertsQueue')!.split('/').pop()!;
  const totalWrites = writesSoFar();
  const pathSeconds = ((pathDrained?.at ?? finished) - started) / 1000;
  const pathWriteRate = (pathDrained?.writes ?? totalWrites) / pathSeconds;
  const totalSends = Object.values(sqsSends).reduce((a, b) => a + b, 0);
  const sizes = await bundleSizes();
  const seconds = (finished - started) / 1000;

  const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? 'never' : `${value} ms`);
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}`;
  };
  // The alert's path, in order: each queue's wait, then the handler that took it.
  const path = [
    ['alert-ingest', 'HTTP'],
    ['alert-dedup', 'alerts queue'],
    ['alert-router', 'notify queue'],
    ['incident-timers', 'timers queue'],
  ] as const;
  const hopLines = path.map(([fn, queue]) => {
    const hop = hops.get(fn) ?? { durations: [], waits: [] };
    const wait = queue === 'HTTP' ? '' : `waited in the ${queue} ${spread(hop.waits)}; `;
    return `  ${fn.padEnd(16)} ${wait}ran ${spread(hop.durations)} per invocation (${hop.durations.length})`;
  });
  const lines = [
    `alerts sent:                 ${total} (${unique} distinct in ${groups} groups, ${(100 * (1 - unique / total)).toFixed(0)} % duplicates, ${perRequest} per webhook, ${values.concurrency} concurrent, ${rate > 0 ? `paced at ${rate}/s` : 'unpaced'})`,
    `rejected deliveries:         ${rejected}`,
    `throughput:                  ${(total / seconds).toFixed(0)} alerts/s end to end (${(total / ((ingested - started) / 1000)).toFixed(0)} alerts/s accepted by ingest)`,
    `time to drain:               ${seconds.toFixed(1)} s from the first webhook to every card up to date and the queues empty (ingest done after ${((ingested - started) / 1000).toFixed(1)} s)`,
    `cards up to date:            ${shown.filter((cards, g) => (cards.at(-1)?.count ?? 0) >= membersOf[g]!).length}/${groups} groups' chat cards count all their alerts`,
    `cards per group and target:  max ${Math.max(0, ...perTarget)} (${perTarget.reduce((a, b) => a + b, 0)} cards for ${groups} groups to ${targets.size} targets, from ${callsByKind.send ?? 0} sends; a send retried with its uuid makes no new card)`,
    `Feishu calls per alert:      ${(feishuCalls / total).toFixed(3)} (${feishuCalls} message calls: ${JSON.stringify(callsByKind)})`,
    `group→first card:            p50 ${ms(percentile(firstCard, 50))}, p99 ${ms(percentile(firstCard, 99))}, max ${ms(firstCard.at(-1))}`,
    `alert→card latency:          p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1))} (until its group's card counts it)`,
    "per hop (a queue's wait includes a delayed wakeup's delay):",
    ...hopLines,
    `DynamoDB writes per alert:   ${((writes[dedupTable] ?? 0) / total).toFixed(3)} in dedup (${writes[dedupTable] ?? 0}), ${(totalWrites / total).toFixed(3)} in all (${JSON.stringify(writes)})`,
    `DynamoDB write rate:         ${(totalWrites / seconds).toFixed(0)} writes/s over the run, ${((100 * totalWrites) / seconds / ceiling).toFixed(0)} % of the stand-in's own ceiling of ${ceiling.toFixed(0)} conditional writes/s (measured before the run)`,
    `alert path drained:          ${pathSeconds.toFixed(1)} s after the first webhook (the alerts and notify queues empty): ${(total / pathSeconds).toFixed(0)} alerts/s, ${pathWriteRate.toFixed(0)} writes/s, ${((100 * pathWriteRate) / ceiling).toFixed(0)} % of the ceiling`,
    `cards into the route's chat: ${chatCards.size} new cards, no sooner than ${(chatCards.size / 5).toFixed(1)} s at Feishu's 5 a second to one chat`,
    `SQS sends per alert:         ${((sqsSends[alertsQueue] ?? 0) / total).toFixed(3)} at ingest (${sqsSends[alertsQueue] ?? 0}), ${(totalSends / total).toFixed(3)} in all (${JSON.stringify(sqsSends)})`,
    'bundle sizes (minified / gzip):',
    ...Object.entries(sizes).map(
      ([name, s]) => `  ${name.padEnd(14)} ${(s.minified / 1024).toFixed(1)} KB / ${(s.gzip / 1024).toFixed(1)} KB`,
    ),
  ];
  console.log(lines.join('\n'));
  if (!upToDate()) process.exitCode = 1;
}

await main();
