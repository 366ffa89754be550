import { describe, expect, it } from 'vitest';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';
import { meteredMessenger } from '../../../lib/feishu/metered-messenger.js';
import { pacedMessenger } from '../../../lib/feishu/paced-messenger.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';
import { RecordingMetrics } from '../fakes/metrics.js';

const quick = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryTimeMs: 5000, budgetWaitMs: 1000 };

describe('Feishu errors by code', () => {
  it('counts every failed attempt by its Feishu code, HTTP status or lack of answer, under the retries', async () => {
    const inner = new RecordingMessenger();
    const failures: unknown[] = [
      new FeishuApiError('send card', 99991400, 'request trigger frequency limit', 429),
      new FeishuApiError('send card', undefined, 'HTTP 502 Bad Gateway', 502),
      new Error('socket hang up'),
    ];
    const send = inner.sendCard.bind(inner);
    inner.sendCard = async (...args) => {
      const failure = failures.shift();
      if (failure) throw failure;
      return send(...args);
    };
    const metrics = new RecordingMetrics();
    const budget = { take: async () => undefined };
    const messenger = pacedMessenger(meteredMessenger(inner, metrics), budget, recordingLogger(), quick);
    expect(await messenger.sendCard({ kind: 'chat', id: 'oc_ops' }, {}, 'k1')).toBe('om_1');
    expect(metrics.added).toEqual([
      { name: 'FeishuErrors', dimensions: { Code: '99991400' }, value: 1 },
      { name: 'FeishuErrors', dimensions: { Code: 'http_502' }, value: 1 },
      { name: 'FeishuErrors', dimensions: { Code: 'no_answer' }, value: 1 },
    ]);
  });

  it('passes the failure on unchanged, so the caller decides what it means', async () => {
    const inner = new RecordingMessenger();
    inner.failingUrgent.add('phone');
    const metrics = new RecordingMetrics();
    const messenger = meteredMessenger(inner, metrics);
    await expect(messenger.urgent('om_1', 'phone', ['ou_a'])).rejects.toThrow('quota exceeded');
    await messenger.urgent('om_1', 'app', ['ou_a']);
    expect(metrics.total('FeishuErrors')).toBe(1);
    expect(inner.urgents).toEqual([{ messageId: 'om_1', kind: 'app', openIds: ['ou_a'] }]);
  });
});
