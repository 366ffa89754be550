/**
 * npm run bench:webhook [-- --events 2000 --concurrency 8]
 *
 * Posts signed, encrypted Feishu deliveries to `POST /feishu/events` of a local runtime over HTTP and prints the
 * webhook's latency (p50/p99/max) for each kind: the URL check, a new message event (delivery claim in DynamoDB +
 * SQS send + marking it done), a duplicate delivery, and a card button click (a conditional update and the card).
 * Then the minified size of each function's bundle, as `serverless package` builds it. Figures, not assertions.
 */
import { parseArgs } from 'node:util';
import { LocalRuntime, LOCAL_ENCRYPT_KEY, LOCAL_VERIFICATION_TOKEN } from '../../infra/local/runtime.js';
import { LOCAL_BOT_OPEN_ID } from '../../infra/local/feishu-standin.js';
import { cardClick, delivery, envelope, textMessage, type FeishuApp } from '../../infra/local/feishu-events.js';
import { bundleSizes, kb } from './bundles.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const total = Number(values.events);
const concurrency = Number(values.concurrency);
const app: FeishuApp = { verificationToken: LOCAL_VERIFICATION_TOKEN, encryptKey: LOCAL_ENCRYPT_KEY };
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function measure(
  runtime: LocalRuntime,
  label: string,
  count: number,
  payload: (i: number) => object,
  expectStatus = 200,
) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { body, headers } = delivery(app, payload(i));
      const started = performance.now();
      const response = await fetch(`${runtime.url}/feishu/events`, { method: 'POST', headers, body });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (response.status !== expectStatus) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(34)} n=${String(count).padEnd(6)} p50 ${ms(percentile(latencies, 50)).padEnd(9)} p99 ${ms(percentile(latencies, 99)).padEnd(9)} ` +
      `max ${ms(latencies.at(-1) ?? NaN).padEnd(9)} ${(count / seconds).toFixed(0)} req/s${failures ? `  (${failures} unexpected statuses)` : ''}`,
  );
}

async function main() {
  // No pollers: the chatops consumer would share this process's CPU with the webhook being measured.
  const runtime = await new LocalRuntime({
    quiet: true,
    pollers: 0,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  }).start();
  try {
    console.log(`webhook latency over local HTTP, ${concurrency} concurrent (signed + encrypted deliveries):`);
    // Warm up: cold start, token fetch, connection pools.
    await measure(runtime, 'warm-up', 50, () =>
      envelope(app, 'im.message.receive_v1', textMessage({ text: '/help', botOpenId: LOCAL_BOT_OPEN_ID })),
    );
    await measure(runtime, 'URL check', Math.min(total, 500), (i) => ({
      type: 'url_verification',
      challenge: `c${i}`,
      token: app.verificationToken,
    }));
    const messages = Array.from({ length: total }, () =>
      envelope(app, 'im.message.receive_v1', textMessage({ text: '/status', botOpenId: LOCAL_BOT_OPEN_ID })),
    );
    await measure(runtime, 'new message (claim + enqueue + done)', total, (i) => messages[i]!);
    await measure(runtime, 'duplicate delivery (claim refused)', total, (i) => messages[i]!);
    // A click on an alert that does not exist still takes the full path: the conditional update, then the read.
    await measure(runtime, 'card click (ack, conditional update)', Math.min(total, 1000), (i) =>
      envelope(
        app,
        'card.action.trigger',
        cardClick(
          { action: 'ack', alertId: (i % 4096).toString(16).padStart(12, '0') },
          { operatorOpenId: 'ou_bench' },
        ),
      ),
    );
  } finally {
    await runtime.stop();
  }
  console.log('\nbundle sizes (minified; the AWS SDK comes from the Lambda runtime):');
  for (const [name, size] of Object.entries(await bundleSizes()))
    console.log(`  ${name.padEnd(16)} ${kb(size.minified).padStart(10)}  gzip ${kb(size.gzip)}`);
}

await main();
