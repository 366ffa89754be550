import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../lib/alerts/repository.js';
import type { Severity } from '../../../lib/alerts/severity.js';
import { escapeMarkdown } from '../../../lib/feishu/cards.js';
import type { StoredIncident } from '../../../lib/incidents/model.js';
import { incidentReport, reportCard, type ReportWindow } from '../../../lib/incidents/report.js';
import { makeIncident, makeMember, OPENED_AT } from '../fakes/incidents.js';

const window: ReportWindow = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-08T00:00:00.000Z' };
const options = { timeZone: 'Asia/Shanghai', names: new Map([['ou_zhang', '张伟']]) };
const minutes = (n: number) => n * 60_000;
const after = (ms: number) => new Date(Date.parse(OPENED_AT) + ms).toISOString();
const member = (name?: string, severity?: Severity) => makeMember(name, severity);
const incident = makeIncident;

const page = (at: string, actor = 'ou_zhang'): TimelineEntry => ({ at, event: 'paged', detail: '电话加急', actor });
const report = (incidents: StoredIncident[]) => incidentReport(incidents, window, options);
const cardText = (card: object) =>
  (card as { body: { elements: { content: string }[] } }).body.elements.map((element) => element.content).join('\n');

describe('incidentReport', () => {
  it('counts incidents by worst severity, every severity present, and by service busiest first', () => {
    const result = report([
      incident({ service: 'web' }, [member('DiskFull', 'critical'), member('HighErrorRate', 'warning')]),
      incident({ service: 'api' }),
      incident({ service: 'web' }),
    ]);
    expect(result.total).toBe(3);
    expect(result.bySeverity).toEqual({ critical: 1, warning: 2, info: 0 });
    expect(result.byService).toEqual([
      { name: 'web', count: 2 },
      { name: 'api', count: 1 },
    ]);
  });

  it('takes p50 and p90 of time to acknowledge by nearest rank', () => {
    const incidents = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => incident({ acknowledgedAt: after(minutes(n)) }));
    expect(report(incidents).mtta).toEqual({ samples: 10, p50: minutes(5), p90: minutes(9) });
  });

  it('leaves incidents nobody acknowledged out of MTTA', () => {
    const result = report([incident({ acknowledgedAt: after(minutes(3)) }), incident(), incident()]);
    expect(result.mtta).toEqual({ samples: 1, p50: minutes(3), p90: minutes(3) });
  });

  it('measures MTTR over resolved incidents only, with no percentiles when none resolved', () => {
    expect(report([incident()]).mttr).toEqual({ samples: 0, p50: undefined, p90: undefined });
    const result = report([
      incident({ state: 'resolved', resolvedAt: after(minutes(30)) }),
      incident({ state: 'acknowledged', acknowledgedAt: after(minutes(1)) }),
    ]);
    expect(result.mttr).toEqual({ samples: 1, p50: minutes(30), p90: minutes(30) });
  });

  it('counts incidents that escalated beyond the first level and the extra levels', () => {
    const progress = (step: number) => ({ policy: 'default', startedAt: OPENED_AT, step, pagedStep: step, done: {} });
    const result = report([
      incident({ escalation: progress(1) }),
      incident({ escalation: progress(3) }),
      incident({ escalation: progress(2) }),
      incident(),
    ]);
    expect(result.escalations).toEqual({ incidents: 2, extraLevels: 3 });
  });

  it('counts a page at 23:30 in Shanghai as a night page and one at 11:00 as a day page', () => {
    const result = report([incident({ timeline: [page('2026-12-01T15:30:00Z'), page('2026-12-01T03:00:00Z')] })]);
    expect(result.pages).toEqual({
      total: 2,
      night: 1,
      byPerson: [{ openId: 'ou_zhang', name: '张伟', pages: 2, nightPages: 1 }],
    });
  });

  it('leaves out pages outside the window and entries without a person', () => {
    const result = report([
      incident({
        timeline: [
          page('2026-11-30T23:59:59.000Z'),
          page(window.to),
          page('2026-12-02T03:00:00.000Z', 'ou_li'),
          { at: '2026-12-02T03:00:00.000Z', event: 'paged', detail: '电话加急' },
          { at: '2026-12-02T03:00:00.000Z', event: 'notified', actor: 'ou_zhang' },
        ],
      }),
    ]);
    expect(result.pages).toEqual({
      total: 1,
      night: 0,
      byPerson: [{ openId: 'ou_li', name: 'ou_li', pages: 1, nightPages: 0 }],
    });
  });

  it('lists the people paged most first', () => {
    const result = report([
      incident({
        timeline: [
          page('2026-12-02T03:00:00.000Z', 'ou_li'),
          page('2026-12-02T04:00:00.000Z', 'ou_zhang'),
          page('2026-12-02T05:00:00.000Z', 'ou_zhang'),
        ],
      }),
    ]);
    expect(result.pages.byPerson.map((person) => person.name)).toEqual(['张伟', 'ou_li']);
  });

  it('names the five noisiest alerts, most members first, ties by name', () => {
    const many = (name: string, n: number) => Array.from({ length: n }, () => member(name));
    const result = report([
      incident({}, [...many('Disk', 3), ...many('Cpu', 1), ...many('Mem', 2)]),
      incident({}, [...many('Cpu', 2), ...many('Net', 1), ...many('Api', 1), ...many('Zk', 1)]),
    ]);
    expect(result.noisiestAlerts).toEqual([
      { name: 'Cpu', count: 3 },
      { name: 'Disk', count: 3 },
      { name: 'Mem', count: 2 },
      { name: 'Api', count: 1 },
      { name: 'Net', count: 1 },
    ]);
  });

  it('rates self-healing as fixed over tried, and leaves the rate out when nothing was tried', () => {
    const heal = (event: string): TimelineEntry => ({ at: '2026-12-02T03:00:00.000Z', event });
    const result = report([
      incident({ timeline: [heal('self_heal_fixed'), heal('self_heal_fixed'), heal('self_heal')] }),
      incident({ timeline: [heal('self_heal_fixed'), heal('self_heal_failed')] }),
    ]);
    expect(result.selfHeal).toEqual({ fixed: 3, failed: 1, rate: 0.75 });
    expect(report([incident()]).selfHeal).toEqual({ fixed: 0, failed: 0, rate: undefined });
  });
});

describe('reportCard', () => {
  const card = (incidents: StoredIncident[]) =>
    reportCard(report(incidents), { timeZone: 'Asia/Shanghai', title: '周报' });

  it('says there were no incidents, with the window, in a blue card', () => {
    const empty = card([]) as { header: { template: string } };
    expect(empty.header.template).toBe('blue');
    expect(cardText(empty)).toBe('这段时间没有事件 ✅\n**时间范围**：2026/12/01 08:00:00 – 2026/12/08 08:00:00');
  });

  it('escapes markdown in service, alert and person names', () => {
    const names = new Map([['ou_x', '*李*']]);
    const text = cardText(
      reportCard(
        incidentReport(
          [incident({ service: 'a*b_[c]', timeline: [page('2026-12-02T03:00:00.000Z', 'ou_x')] }, [member('<at>')])],
          window,
          { timeZone: 'Asia/Shanghai', names },
        ),
        { timeZone: 'Asia/Shanghai', title: '周报' },
      ),
    );
    expect(text).toContain(`**服务**：${escapeMarkdown('a*b_[c]')} 1`);
    expect(text).not.toContain('a*b_[c]');
    expect(text).toContain(`- ${escapeMarkdown('<at>')}：1 条`);
    expect(text).toContain(`- ${escapeMarkdown('*李*')}：1 次`);
  });

  it('shows counts, response times under a minute in seconds, pages and the self-heal rate', () => {
    const text = cardText(
      card([
        incident(
          {
            acknowledgedAt: after(45_000),
            state: 'resolved',
            resolvedAt: after(minutes(12)),
            timeline: [page('2026-12-01T15:30:00Z'), { at: OPENED_AT, event: 'self_heal_fixed' }],
          },
          [member('DiskFull', 'critical')],
        ),
        incident(),
      ]),
    );
    expect(text).toContain('**事件**：2 起（严重 1 · 警告 1 · 提示 0）');
    expect(text).toContain('**MTTA**：p50 45 秒 · p90 45 秒（1 起已确认）');
    expect(text).toContain('**MTTR**：p50 12 分钟 · p90 12 分钟（1 起已解决）');
    expect(text).toContain('**加急**：共 1 次，夜间（22:00–08:00）1 次');
    expect(text).toContain('- 张伟：1 次（夜间 1 次）');
    expect(text).toContain('**自愈成功率**：100%（成功 1 · 失败 0）');
  });
});
