import { describe, expect, it } from 'vitest';
import { dedupAlerts } from '../../../lib/alerts/dedup.js';
import { ingest, type IngestDeps } from '../../../lib/alerts/ingest.js';
import type { Alert } from '../../../lib/alerts/model.js';
import { makeAlert, nextEvent } from '../fakes/alerts.js';
import { MemoryDedupStore } from '../fakes/dedup-store.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMetrics } from '../fakes/metrics.js';
import { RecordingQueue } from '../fakes/queue.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');

describe('alert counts at the front of the path', () => {
  function ingestDeps(metrics: RecordingMetrics): IngestDeps & { queue: RecordingQueue<Alert> } {
    return {
      tokens: async () => ['t0ken'],
      sns: { verify: async () => undefined, confirmSubscription: async () => undefined },
      allowedTopics: [],
      log: recordingLogger(),
      queue: new RecordingQueue<Alert>(),
      metrics,
    };
  }
  const delivery = (alerts: object[]) => ({
    headers: { authorization: 'Bearer t0ken' },
    rawBody: Buffer.from(JSON.stringify({ alerts })),
  });
  const alert = (name: string, severity: string) => ({ name, severity, service: 'api', summary: name });

  it('counts every alert ingest queued, by source and severity', async () => {
    const metrics = new RecordingMetrics();
    const deps = ingestDeps(metrics);
    await ingest('generic', delivery([alert('A', 'critical'), alert('B', 'critical'), alert('C', 'warning')]), deps);
    expect(metrics.total('AlertsReceived', { Source: 'generic', Severity: 'critical' })).toBe(2);
    expect(metrics.total('AlertsReceived', { Source: 'generic', Severity: 'warning' })).toBe(1);
  });

  it('counts nothing it could not queue (the source retries, and is counted then)', async () => {
    const metrics = new RecordingMetrics();
    const deps = ingestDeps(metrics);
    deps.queue.failing = true;
    await expect(ingest('generic', delivery([alert('A', 'critical')]), deps)).rejects.toThrow(/could not be queued/);
    expect(metrics.added).toEqual([]);
  });

  it('counts the repeats dedup holds back, and a redelivered repeat once', async () => {
    const metrics = new RecordingMetrics();
    const store = new MemoryDedupStore();
    const deps = {
      store,
      windows: { defaultSeconds: 300, bySeverity: {} },
      now: () => t0,
      forward: async () => [],
      metrics,
    };
    const first = makeAlert({ severity: 'critical' });
    const repeat = nextEvent(first);
    await dedupAlerts([first], deps);
    await dedupAlerts([repeat], deps);
    await dedupAlerts([repeat], deps); // SQS delivers the same message again
    expect(metrics.added).toEqual([
      { name: 'AlertsDeduplicated', dimensions: { Source: 'alertmanager', Severity: 'critical' }, value: 1 },
    ]);
  });
});
