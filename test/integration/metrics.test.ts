import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { alertmanagerWebhook } from '../support/alertmanager.js';
import { waitFor } from '../support/wait.js';

const token = 'metrics-token';
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await new LocalRuntime({ quiet: true, alertToken: token }).start();
});
afterAll(async () => {
  await runtime?.stop();
});

/** One Alertmanager webhook with one critical alert firing. */
const webhook = alertmanagerWebhook('MetricsProbe', 'firing', [
  {
    labels: { service: 'api', severity: 'critical', instance: 'api-1:9100' },
    summary: 'probe for the metrics endpoint',
  },
]);

const sendAlert = async () => {
  const response = await fetch(`${runtime.url}/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(webhook),
  });
  expect(response.status).toBe(202);
};

const scrape = async () => {
  const response = await fetch(`${runtime.url}/_local/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

/** The value of one sample line (`name{labels} value`), or undefined when the series is not there. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const alertLabels = '{severity="critical",source="alertmanager",stage="local"}';
const cards = () => runtime.outbox.filter((e) => e.path.startsWith('/open-apis/im/v1/messages')).length;

describe('GET /_local/metrics', () => {
  it('serves what the functions counted, from the EMF lines they wrote, in Prometheus text format', async () => {
    await sendAlert();
    await sendAlert(); // Alertmanager's HA peer sends it again: a repeat
    await waitFor(async () => sample(await scrape(), `openclaw_alerts_deduplicated_total${alertLabels}`), 'the repeat');
    await waitFor(
      async () => sample(await scrape(), 'openclaw_alert_to_card_milliseconds_count{stage="local"}'),
      'a card',
    );
    expect(cards()).toBeGreaterThan(0);

    const text = await scrape();
    expect(sample(text, `openclaw_alerts_received_total${alertLabels}`)).toBe(2);
    expect(sample(text, `openclaw_alerts_deduplicated_total${alertLabels}`)).toBe(1);
    expect(sample(text, `openclaw_alerts_notified_total${alertLabels}`)).toBe(1);
    expect(text).toContain('# TYPE openclaw_alerts_received_total counter');
    expect(text).toContain('# TYPE openclaw_alert_to_card_milliseconds histogram');
    expect(sample(text, 'openclaw_alert_to_card_milliseconds_count{stage="local"}')).toBe(1);
    const infinite = sample(text, 'openclaw_alert_to_card_milliseconds_bucket{stage="local",le="+Inf"}');
    expect(infinite).toBe(1);
    expect(sample(text, 'openclaw_alert_to_card_milliseconds_sum{stage="local"}')).toBeGreaterThan(0);
  });

  it('counts the webhook deliveries from Feishu, by what became of them', async () => {
    const reply = await fetch(`${runtime.url}/_local/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '/help', chatType: 'p2p' }),
    });
    expect(reply.status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'openclaw_feishu_events_total{outcome="queued",stage="local"}')).toBe(1);
  });
});
