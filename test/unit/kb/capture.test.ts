import { describe, expect, it } from 'vitest';
import { memberOf, type StoredIncident } from '../../../lib/incidents/model.js';
import { draftFromIncident } from '../../../lib/kb/capture.js';
import { makeAlert } from '../fakes/alerts.js';

const alert = makeAlert({
  name: 'DiskFull',
  severity: 'critical',
  service: 'mysql',
  host: 'db-1',
  summary: '/data 97%',
});
const stored: StoredIncident = {
  incidentId: 'abc123abc123',
  groupKey: 'default:alertname=DiskFull,service=mysql',
  state: 'resolved',
  title: 'DiskFull',
  service: 'mysql',
  members: {
    a1: memberOf({
      alertId: 'a1',
      fingerprint: alert.fingerprint,
      severity: 'critical',
      alert,
      firstSeenAt: '2026-11-24T03:00:00.000Z',
    }),
  },
  firing: 0,
  resolved: 1,
  plan: { routes: [], targets: [], channels: [] },
  notifications: {},
  version: 1,
  openedAt: '2026-11-24T03:00:00.000Z',
  updatedAt: '2026-11-24T03:41:00.000Z',
  resolvedAt: '2026-11-24T03:41:00.000Z',
  timeline: [
    { at: '2026-11-24T03:00:00.000Z', event: 'opened', detail: 'alertmanager · critical' },
    { at: '2026-11-24T03:41:00.000Z', event: 'resolved_by_hand', detail: '解决人：李娜' },
  ],
};

describe('knowledge capture', () => {
  it('drafts an article from the incident: what fired, what was done, the timeline', async () => {
    const draft = await draftFromIncident(stored, '清理了 binlog，扩容 /data 到 500G', undefined);
    expect(draft).toMatchObject({
      id: 'incident-abc123abc123',
      title: 'DiskFull（mysql）处理记录',
      tags: ['mysql', 'incident'],
    });
    expect(draft.body).toContain('- 服务：mysql，主机：db-1');
    expect(draft.body).toContain('- 告警：DiskFull（1 条）');
    expect(draft.body).toContain('- 发生：2026-11-24 03:00 UTC 至 2026-11-24 03:41 UTC');
    expect(draft.body).toContain('## 处理过程\n\n清理了 binlog，扩容 /data 到 500G');
    expect(draft.body).toContain('- 2026-11-24 03:41 UTC resolved_by_hand：解决人：李娜');
    expect(draft.body).not.toContain('## 经验');
  });

  it('adds the model’s lessons when one is configured, and leaves them out when it fails', async () => {
    const seen: string[] = [];
    const withLessons = await draftFromIncident(stored, '清理了 binlog', {
      name: 'm',
      complete: async (messages) => (seen.push(messages[1]!.content), '- 先看 binlog 占用'),
    });
    expect(withLessons.body).toContain('## 经验\n\n- 先看 binlog 占用');
    expect(seen[0]).toContain('处理说明：\n清理了 binlog');
    const failing = await draftFromIncident(stored, '清理了 binlog', {
      name: 'm',
      complete: async () => Promise.reject(new Error('timeout')),
    });
    expect(failing.body).not.toContain('## 经验');
  });
});
