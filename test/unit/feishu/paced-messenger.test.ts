import { describe, expect, it } from 'vitest';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';
import { pacedMessenger, type SendBudget } from '../../../lib/feishu/paced-messenger.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';

const quick = { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 50, maxRetryTimeMs: 5000, budgetWaitMs: 1000 };

function setup(failures: unknown[] = []) {
  const inner = new RecordingMessenger();
  const taken: string[][] = [];
  const budget: SendBudget = {
    take: async (budgets) => void taken.push(budgets.map((b) => `${b.key}/${b.perSecond}`)),
  };
  let calls = 0;
  const send = inner.sendCard.bind(inner);
  inner.sendCard = async (...args) => {
    calls++;
    const failure = failures.shift();
    if (failure) throw failure;
    return send(...args);
  };
  const log = recordingLogger();
  const messenger = pacedMessenger(inner, budget, log, quick);
  return { inner, taken, messenger, log, calls: () => calls };
}

const rateLimited = new FeishuApiError('send card', 230020, 'chat rate limit', 400);
const gateway = new FeishuApiError('send card', 99991400, 'request trigger frequency limit', 429, 20);
const refused = new FeishuApiError('send card', 230002, 'bot is not in the chat', 400);

describe('the paced messenger', () => {
  it("takes the app's and the chat's budget for every new message", async () => {
    const t = setup();
    await t.messenger.sendCard({ kind: 'chat', id: 'oc_ops' }, {}, 'k1');
    await t.messenger.sendCard({ kind: 'user', id: 'ou_a' }, {}, 'k2');
    expect(t.taken).toEqual([
      ['app/50', 'chat:oc_ops/5'],
      ['app/50', 'user:ou_a/5'],
    ]);
  });

  it('tries a rate-limited or unanswered call again, waiting as long as Feishu asks, and never drops it', async () => {
    const t = setup([rateLimited, gateway, new Error('socket hang up')]);
    const started = Date.now();
    expect(await t.messenger.sendCard({ kind: 'chat', id: 'oc_ops' }, {}, 'k1')).toBe('om_1');
    expect(t.calls()).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20); // the gateway asked for 20 ms
    expect(t.inner.sends).toHaveLength(1);
    expect(t.taken).toHaveLength(4); // each attempt is a message in the budget
    expect(t.log.lines.filter((line) => line.message === 'Feishu call failed')).toHaveLength(3);
  });

  it('gives up at once on a refusal that trying again will not change', async () => {
    const t = setup([refused]);
    await expect(t.messenger.sendCard({ kind: 'chat', id: 'oc_gone' }, {}, 'k1')).rejects.toBe(refused);
    expect(t.calls()).toBe(1);
  });

  it('spaces the updates of one message 200 ms apart, and not those of different messages', async () => {
    const t = setup();
    const started = Date.now();
    await Promise.all([t.messenger.patchCard('om_1', {}), t.messenger.patchCard('om_2', {})]);
    expect(Date.now() - started).toBeLessThan(150);
    await t.messenger.patchCard('om_1', {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(t.inner.patches.map((patch) => patch.messageId)).toEqual(['om_1', 'om_2', 'om_1']);
  });
});
