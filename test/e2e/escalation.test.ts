import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { chatWith } from '../support/chat.js';
import { localAlerts } from '../support/local-alerts.js';
import { configDirWith } from '../support/config-dir.js';
import { waitFor } from '../support/wait.js';

/**
 * Escalation through the local runtime: the router pages L1, the incident's timers (SQS delayed wakeups, and the
 * sweep on its schedule) page the later levels, chat acknowledges, escalates by hand and overrides who is on call.
 * The policy's delays are seconds here, minutes in config/escalation.yaml.
 */
const alertToken = 'escalation-token';
let runtime: LocalRuntime;
let configDir: string;
const { say } = chatWith(() => runtime);

beforeAll(async () => {
  configDir = configDirWith(mkdtempSync(join(tmpdir(), 'openclaw-config-')), {
    'escalation.yaml': [
      'policies:',
      '  default:',
      '    levels:',
      '      - { notify: [oncall], channels: [card, urgent_app, urgent_phone] }',
      '      - { after: 3s, notify: [next_oncall], channels: [card, urgent_app] }',
      '      - { after: 6s, notify: [{ user: ou_sre_manager, name: 周经理 }], channels: [card, urgent_phone] }',
      '',
    ].join('\n'),
  });
  runtime = await new LocalRuntime({
    quiet: true,
    alertToken,
    scheduleEveryMs: 1000,
    env: { CONFIG_DIR: configDir },
  }).start();
});
afterAll(async () => {
  await runtime?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

const { post, content, cardsAbout } = localAlerts(() => runtime, alertToken);
/** Pages as `kind:open_id`, for the cards about `name`. */
const pagesAbout = (name: string) => {
  const messages = new Set(cardsAbout(name).map((entry) => entry.messageId));
  return runtime.outbox
    .filter((e) => /\/urgent_\w+/.test(e.path) && messages.has(e.path.split('/')[5]))
    .map((e) => `${/urgent_(\w+)/.exec(e.path)![1]}:${(e.body as { user_id_list: string[] }).user_id_list.join(',')}`);
};
const incidentIdOf = (entry: OutboxEntry) => /"incidentId":"([0-9a-f]{12})"/.exec(content(entry))![1]!;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('escalation', () => {
  it('pages L2 once after its delay while nobody acknowledges, then L3, and the cards say so', async () => {
    expect((await post({ name: 'ApiDown', severity: 'critical', service: 'web', summary: 'api down' })).status).toBe(
      202,
    );
    const first = await waitFor(() => pagesAbout('ApiDown').length >= 2 && pagesAbout('ApiDown'), 'the L1 page');
    const l1 = first[0]!.split(':')[1]!;
    expect(first).toEqual([`app:${l1}`, `phone:${l1}`]);
    const l2 = await waitFor(
      () => pagesAbout('ApiDown').find((page) => page.startsWith('app:') && !page.endsWith(l1)),
      'the L2 page',
      { timeoutMs: 10_000 },
    );
    const l2Person = l2.split(':')[1]!;
    await waitFor(() => pagesAbout('ApiDown').includes('phone:ou_sre_manager'), 'the L3 page', { timeoutMs: 10_000 });
    await settle(2500);
    expect(pagesAbout('ApiDown')).toEqual([`app:${l1}`, `phone:${l1}`, `app:${l2Person}`, 'phone:ou_sre_manager']);
    const chatCard = cardsAbout('ApiDown').find(
      (e) => (e.body as { receive_id: string }).receive_id === 'oc_ops_alerts',
    )!;
    const patched = runtime.outbox.filter((e) => e.method === 'PATCH' && e.path.endsWith(chatCard.messageId!));
    expect(content(patched.at(-1)!)).toContain('已升级到 L3（周经理）');
    expect(patched.some((patch) => /已升级到 L2（[^）]+）/.test(content(patch)))).toBe(true);
    const shown = await say(`/incident show ${incidentIdOf(chatCard)}`);
    expect(shown).toMatch(/升级：已升级到 L2（.+）[\s\S]*升级：已升级到 L3（周经理）/);
  });

  it('stops escalating once acknowledged in chat', async () => {
    await post({ name: 'QueueStuck', severity: 'critical', service: 'web', summary: 'queue stuck' });
    await waitFor(() => pagesAbout('QueueStuck').length >= 2, 'the L1 page');
    const incidentId = incidentIdOf(cardsAbout('QueueStuck')[0]!);
    expect(await say(`/incident ack ${incidentId}`, { sender: 'ou_sre_lina' })).toMatch(/已确认事件.*升级已停止/);
    await settle(5000);
    expect(pagesAbout('QueueStuck')).toHaveLength(2);
  });

  it('escalates by hand, even an incident its policy would not page for', async () => {
    await post({ name: 'DiskFilling', severity: 'warning', service: 'web', summary: 'disk 85%' });
    const [card] = await waitFor(() => cardsAbout('DiskFilling').length > 0 && cardsAbout('DiskFilling'), 'the card');
    expect(pagesAbout('DiskFilling')).toEqual([]);
    const answer = await say(`/incident escalate ${incidentIdOf(card!)}`, { sender: 'ou_sre_lina' });
    expect(answer).toMatch(/已升级事件 \w+：已呼叫 L1（.+）/);
    expect(pagesAbout('DiskFilling')).toHaveLength(2);
    expect(await say(`/incident show ${incidentIdOf(card!)}`)).toContain('手动升级：请求升级：李娜');
  });

  it('pages whoever /oncall override names, and says whom it cannot tell', async () => {
    expect(await say('/oncall override 王强 1h sre', { sender: 'ou_sre_lina' })).toMatch(
      /已设置临时值班：sre 由 .*王强.* 值班，至 /,
    );
    expect(await say('/oncall sre')).toMatch(/王强.*（临时替班）/);
    await post({ name: 'CacheDown', severity: 'critical', service: 'web', summary: 'redis down' });
    await waitFor(() => pagesAbout('CacheDown').length >= 2, 'the L1 page');
    expect(pagesAbout('CacheDown').slice(0, 2)).toEqual(['app:ou_sre_wangqiang', 'phone:ou_sre_wangqiang']);
    expect(await say('/oncall override 谁 1h')).toMatch(/不知道 谁 是谁[\s\S]*用法：\/oncall override/);
  });
});
