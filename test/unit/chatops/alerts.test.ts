import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../../lib/alerts/repository.js';
import type { ChatopsDeps } from '../../../lib/chatops/command.js';
import { alert } from '../../../lib/chatops/commands/alerts.js';
import { makeAlert } from '../fakes/alerts.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';

const now = Date.parse('2026-03-02T03:10:00Z');

async function listWith(alerts: { host?: string; labels: Record<string, string>; summary?: string }[]) {
  const repo = new MemoryAlertRepository();
  for (const [i, { host, labels, summary }] of alerts.entries()) {
    const stored: StoredAlert = {
      alertId: `a1b2c3d4e5f${i}`,
      fingerprint: `fp${i}`,
      status: 'firing',
      severity: 'warning',
      alert: makeAlert({
        host,
        labels: { alertname: 'NodeDiskFull', severity: 'warning', ...labels },
        ...(summary ? { summary } : {}),
      }),
      firstSeenAt: '2026-03-02T03:00:00.000Z',
      lastSeenAt: '2026-03-02T03:00:00.000Z',
      countBase: 1,
      count: 1,
      plan: { routes: [], targets: [], channels: [] },
      openedBy: `evt-${i}`,
      lastEventId: `evt-${i}`,
      timeline: [],
    };
    await repo.create(stored);
  }
  const deps = { repo, now: () => now } as unknown as ChatopsDeps;
  const answer = await alert.run(
    { actor: { openId: 'ou_a' }, messageId: 'om_1', chatId: 'oc_1', args: ['list'] },
    deps,
  );
  const card = (answer as { card: { body: { elements: { content: string }[] } } }).card;
  return card.body.elements[0]!.content.split('\n');
}

describe('/alert list', () => {
  it('names each row’s host, and the labels that tell apart rows of one name and service', async () => {
    const rows = await listWith([
      { host: 'node-1', labels: { instance: 'node-1:9100', device: '/dev/sda1' } },
      { host: 'node-1', labels: { instance: 'node-1:9100', device: '/dev/sdb1' } },
      { host: 'node-2', labels: { instance: 'node-2:9100', device: '/dev/sda1' } },
      { host: 'node-2', labels: { instance: 'node-2:9100', device: '/dev/sdb1' } },
    ]);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((row) => row.replace(/`[0-9a-f]{12}`/, ''))).size).toBe(4);
    expect(rows[0]).toMatch(
      /^- \[警告\] \*\*NodeDiskFull\*\* · api · 主机 node-1 · instance=node-1:9100 · device=\/dev\/sd[ab]1 · API 5xx rate above 5% · 已持续 10 分钟 · `a1b2c3d4e5f\d`$/,
    );
  });

  it('shows no labels beyond the host for an alert alone of its kind, and tells same-labelled ones apart by summary', async () => {
    const [row] = await listWith([{ host: 'db-1', labels: { instance: 'db-1:9100' } }]);
    expect(row).toContain('**NodeDiskFull** · api · 主机 db-1 · API 5xx rate above 5%');
    const twins = await listWith([
      { labels: {}, summary: '/data 97%' },
      { labels: {}, summary: '/var 91%' },
    ]);
    expect(twins.map((line) => /· ([^·]+%) ·/.exec(line)?.[1]).sort()).toEqual(['/data 97%', '/var 91%']);
  });
});
