import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { EMF_CHANNEL, emfMetrics, writeEmf } from '../../../lib/lambda/metrics.js';
import { publishMetrics } from '../../../lib/lambda/middlewares/publish-metrics.js';

const t0 = Date.parse('2026-03-02T03:00:00Z');

function emitter() {
  const lines: Record<string, any>[] = [];
  const metrics = emfMetrics({
    namespace: 'OpenClaw',
    dimensions: { Stage: 'prod' },
    write: (line) => lines.push(JSON.parse(line)),
    now: () => t0,
  });
  return { metrics, lines };
}

describe('the EMF emitter', () => {
  it('writes one document per set of dimension values, counts summed, with the directive CloudWatch reads', () => {
    const { metrics, lines } = emitter();
    metrics.add('AlertsReceived', { Source: 'alertmanager', Severity: 'critical' });
    metrics.add('AlertsReceived', { Severity: 'critical', Source: 'alertmanager' }, 2);
    metrics.add('AlertsNotified', { Source: 'alertmanager', Severity: 'critical' });
    metrics.add('AlertsReceived', { Source: 'cloudwatch', Severity: 'warning' });
    expect(lines).toEqual([]);
    metrics.flush();
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: t0,
          CloudWatchMetrics: [
            {
              Namespace: 'OpenClaw',
              Dimensions: [['Severity', 'Source', 'Stage']],
              Metrics: [
                { Name: 'AlertsReceived', Unit: 'Count' },
                { Name: 'AlertsNotified', Unit: 'Count' },
              ],
            },
          ],
        },
        Stage: 'prod',
        Source: 'alertmanager',
        Severity: 'critical',
        AlertsReceived: 3,
        AlertsNotified: 1,
      },
      expect.objectContaining({ Source: 'cloudwatch', Severity: 'warning', AlertsReceived: 1 }),
    ]);
    metrics.flush();
    expect(lines).toHaveLength(2); // a flush writes what came since the last one, and nothing when nothing came
  });

  it('keeps every duration, so CloudWatch can take percentiles, at most 100 values a document', () => {
    const { metrics, lines } = emitter();
    for (let ms = 1; ms <= 150; ms++) metrics.add('AlertToCard', {}, ms);
    metrics.flush();
    expect(lines.map((line) => line.AlertToCard.length)).toEqual([100, 50]);
    const [first, second] = lines as [Record<string, any>, Record<string, any>];
    expect(first._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'OpenClaw',
      Dimensions: [['Stage']],
      Metrics: [{ Name: 'AlertToCard', Unit: 'Milliseconds' }],
    });
    expect([...first.AlertToCard, ...second.AlertToCard]).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it('gives its lines to whoever listens in this process (the local runtime), or to stdout', () => {
    const heard: unknown[] = [];
    const listener = (line: unknown) => heard.push(line);
    subscribe(EMF_CHANNEL, listener);
    try {
      writeEmf('{"_aws":{}}');
    } finally {
      unsubscribe(EMF_CHANNEL, listener);
    }
    expect(heard).toEqual(['{"_aws":{}}']);
  });
});

describe('publishMetrics', () => {
  it('writes once per invocation, with the records an SQS batch reported failed', async () => {
    const { metrics, lines } = emitter();
    const handler = middy()
      .use(publishMetrics('alert-router', metrics))
      .handler(async () => {
        metrics.add('AlertsMuted', { Source: 'generic', Severity: 'warning' });
        return { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] };
      });
    await handler({}, {} as never);
    expect(lines).toEqual([
      expect.objectContaining({ Source: 'generic', AlertsMuted: 1 }),
      expect.objectContaining({ Function: 'alert-router', RecordsFailed: 2 }),
    ]);
  });

  it('writes what was counted before a handler failed', async () => {
    const { metrics, lines } = emitter();
    const handler = middy()
      .use(publishMetrics('chatops', metrics))
      .handler(async () => {
        metrics.add('FeishuErrors', { Code: '99991400' });
        throw new Error('boom');
      });
    await expect(handler({}, {} as never)).rejects.toThrow('boom');
    expect(lines).toEqual([expect.objectContaining({ Code: '99991400', FeishuErrors: 1 })]);
  });
});
