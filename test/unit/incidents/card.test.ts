import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../lib/alerts/model.js';
import { escapeMarkdown } from '../../../lib/feishu/cards.js';
import { incidentCard } from '../../../lib/incidents/card.js';
import { memberOf, type StoredIncident } from '../../../lib/incidents/model.js';
import { makeAlert } from '../fakes/alerts.js';

const options = { timeZone: 'Asia/Shanghai', now: '2026-03-02T03:12:00.000Z' };
const feishuTemplates = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet'];

const stored = (alert: Alert, alertId: string) => ({
  alertId,
  fingerprint: alert.fingerprint,
  severity: alert.severity,
  alert,
  firstSeenAt: '2026-03-02T03:00:00.000Z',
});

function incident(alerts: Partial<Alert>[] = [{}], fields: Partial<StoredIncident> = {}): StoredIncident {
  const members = alerts.map((overrides, i) => memberOf(stored(makeAlert(overrides), `a${i}0000000000`.slice(0, 12))));
  return {
    incidentId: '9c2e4b1a7d3f',
    groupKey: 'default:alertname=HighErrorRate,service=api',
    state: 'triggered',
    title: members[0]!.name,
    service: 'api',
    members: Object.fromEntries(members.map((member) => [member.alertId, member])),
    firing: members.length,
    resolved: 0,
    plan: {
      routes: ['default'],
      targets: [{ kind: 'chat', id: 'oc_ops' }],
      onCall: { name: '张伟', openId: 'ou_zhang' },
      channels: ['card'],
    },
    notifications: {},
    version: 1,
    openedAt: '2026-03-02T03:00:00.000Z',
    updatedAt: '2026-03-02T03:00:00.000Z',
    links: { detail: 'https://prometheus.example.com/graph?g0.expr=up', runbook: 'https://runbooks.example.com/api' },
    timeline: [],
    ...fields,
  };
}

const resolvedOf = (value: StoredIncident): StoredIncident => ({
  ...value,
  state: 'resolved',
  firing: 0,
  resolved: value.firing,
  resolvedAt: '2026-03-02T03:20:00.000Z',
  members: Object.fromEntries(
    Object.entries(value.members).map(([id, member]) => [id, { ...member, status: 'resolved' as const }]),
  ),
});

interface Card {
  schema: string;
  config: { update_multi: boolean };
  header: { title: { tag: string; content: string }; subtitle: { content: string }; template: string };
  body: { elements: unknown[] };
}
interface Button {
  tag: 'button';
  text: { content: string };
  behaviors: ({ type: 'callback'; value: Record<string, unknown> } | { type: 'open_url'; default_url: string })[];
}

const json = (card: object) => JSON.parse(JSON.stringify(card)) as Card;
function collect<T>(node: unknown, keep: (value: Record<string, unknown>) => boolean, found: T[] = []): T[] {
  if (Array.isArray(node)) node.forEach((child) => collect(child, keep, found));
  else if (node && typeof node === 'object') {
    if (keep(node as Record<string, unknown>)) found.push(node as T);
    Object.values(node).forEach((child) => collect(child, keep, found));
  }
  return found;
}
const buttons = (card: object) => collect<Button>(json(card), (node) => node.tag === 'button');
const markdownText = (card: object) =>
  collect<{ content: string }>(json(card), (node) => node.tag === 'markdown')
    .map((node) => node.content)
    .join('\n');
const callbacks = (card: object) =>
  buttons(card).flatMap((button) => button.behaviors.filter((behaviour) => behaviour.type === 'callback'));

describe('incidentCard', () => {
  it('is a JSON 2.0 card that can be patched later, naming its incident', () => {
    const card = json(incidentCard(incident(), options));
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
    expect(card.header.subtitle.content).toBe('事件 9c2e4b1a7d3f');
  });

  it.each([
    ['critical', 'red', '[严重]'],
    ['warning', 'orange', '[警告]'],
    ['info', 'blue', '[提示]'],
  ] as const)('colours a firing %s incident %s and says so in the title', (severity, template, label) => {
    const card = json(incidentCard(incident([{ severity }]), options));
    expect(card.header.template).toBe(template);
    expect(feishuTemplates).toContain(card.header.template);
    expect(card.header.title).toEqual({ tag: 'plain_text', content: `${label} HighErrorRate` });
  });

  it('takes the worst severity among its firing members, not the resolved ones', () => {
    const mixed = incident([{ severity: 'warning' }, { severity: 'critical' }]);
    expect(json(incidentCard(mixed, options)).header.template).toBe('red');
    const criticalGone = structuredClone(mixed);
    Object.values(criticalGone.members).find((member) => member.severity === 'critical')!.status = 'resolved';
    expect(json(incidentCard(criticalGone, options)).header.template).toBe('orange');
  });

  it.each(['critical', 'warning', 'info'] as const)(
    'turns a resolved %s incident green with 已恢复 in the title and no callback buttons',
    (severity) => {
      const card = incidentCard(resolvedOf(incident([{ severity }])), options);
      expect(json(card).header.template).toBe('green');
      expect(json(card).header.title.content).toContain('已恢复');
      expect(callbacks(card)).toEqual([]);
      expect(markdownText(card)).toContain('**恢复时间**：2026/03/02 11:20:00');
    },
  );

  it('offers 确认, 解决 and 静默 1 小时 on a triggered card, each a callback naming the action and the incident', () => {
    const card = incidentCard(incident(), options);
    const byText = Object.fromEntries(buttons(card).map((button) => [button.text.content, button.behaviors]));
    for (const [text, action] of [
      ['确认', 'ack'],
      ['解决', 'resolve'],
      ['静默 1 小时', 'silence'],
    ])
      expect(byText[text!]).toEqual([{ type: 'callback', value: { action, incidentId: '9c2e4b1a7d3f' } }]);
    const acknowledged = incidentCard(
      incident([{}], { state: 'acknowledged', acknowledgedBy: { openId: 'ou_li' } }),
      options,
    );
    expect(buttons(acknowledged).map((button) => button.text.content)).not.toContain('确认');
    expect(markdownText(acknowledged)).toContain('**确认人**：<at id=ou_li></at>');
  });

  it('links 查看详情 and 处理手册 to http(s) links only, with buttons, never inside the markdown', () => {
    for (const state of [incident(), resolvedOf(incident())]) {
      const byText = Object.fromEntries(
        buttons(incidentCard(state, options)).map((button) => [button.text.content, button]),
      );
      expect(byText['查看详情']?.behaviors).toEqual([
        { type: 'open_url', default_url: 'https://prometheus.example.com/graph?g0.expr=up' },
      ]);
      expect(byText['处理手册']?.behaviors).toEqual([
        { type: 'open_url', default_url: 'https://runbooks.example.com/api' },
      ]);
    }
    expect(markdownText(incidentCard(incident(), options))).not.toContain('runbooks.example.com');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'prometheus:9090/graph']) {
      const card = incidentCard(incident([{}], { links: { detail: bad, runbook: bad } }), options);
      expect(buttons(card).map((button) => button.text.content)).toEqual(['确认', '解决', '静默 1 小时']);
      expect(JSON.stringify(card)).not.toContain(bad);
    }
  });

  it('links 查看详情 to the signed detail page when links are configured, and the source page as 告警来源', () => {
    const detailLink = (kind: string, id: string) => `https://ops.example.com/${kind}/${id}?exp=1&sig=s`;
    const byText = Object.fromEntries(
      buttons(incidentCard(incident(), { ...options, detailLink })).map((button) => [button.text.content, button]),
    );
    expect(byText['查看详情']?.behaviors).toEqual([
      { type: 'open_url', default_url: 'https://ops.example.com/incidents/9c2e4b1a7d3f?exp=1&sig=s' },
    ]);
    expect(byText['告警来源']?.behaviors).toEqual([
      { type: 'open_url', default_url: 'https://prometheus.example.com/graph?g0.expr=up' },
    ]);
  });

  it('shows the service, how many fire and have resolved, since when and for how long, the on-call person and who was paged', () => {
    const text = markdownText(
      incidentCard(
        incident([{}, {}], {
          resolved: 1,
          timeline: [
            { at: options.now, event: 'paged', detail: '应用内加急：张伟' },
            { at: options.now, event: 'paged', detail: '电话加急：张伟' },
          ],
        }),
        options,
      ),
    );
    expect(text).toContain('**服务**：api');
    expect(text).toContain('**告警**：2 条触发中，1 条已恢复');
    expect(text).toContain('**开始**：2026/03/02 11:00:00　**持续**：12 分钟');
    expect(text).toContain('**值班人**：张伟');
    expect(text).toContain('**已加急**：应用内加急：张伟、电话加急：张伟');
  });

  it('lists the newest members, at most 10, with the labels that tell them apart', () => {
    const pods = Array.from({ length: 12 }, (_, i) => ({
      name: 'KubePodCrashLooping',
      labels: { alertname: 'KubePodCrashLooping', pod: `web-${i}`, namespace: 'prod' },
    }));
    const many = incident(pods);
    Object.values(many.members).forEach(
      (member, i) => (member.at = `2026-03-02T03:${String(i).padStart(2, '0')}:00.000Z`),
    );
    const text = markdownText(incidentCard(many, options));
    expect(text).toContain('**最新告警**（共 12 条）');
    expect(text).toContain('pod=web-11');
    expect(text).toContain('pod=web-2');
    expect(text).not.toContain('pod=web-1 ');
    expect(text).not.toContain('namespace=prod'); // the same on every member: it tells nothing apart
    expect((text.match(/KubePodCrashLooping · pod=/g) ?? []).length).toBe(10);
  });

  it('escapes card-markdown characters in what alerts say, so an alert cannot add markup, links or mentions', () => {
    const hostile = '**boom** <at id=all></at> [click](https://evil.example.com) `x` ~~y~~ # h _i_';
    const card = incidentCard(
      incident([{ summary: hostile, name: hostile, labels: { alertname: hostile, pod: hostile } }], {
        service: hostile,
        title: hostile,
      }),
      options,
    );
    const text = markdownText(card);
    for (const raw of ['**boom**', '<at id=all>', '[click]', '](https://evil', '`x`', '~~y~~', '_i_'])
      expect(text).not.toContain(raw);
    expect(text).toContain(escapeMarkdown(hostile.slice(0, 40)));
  });

  it('stays under the Feishu 30 KB card limit with huge members', () => {
    const huge = '告警*'.repeat(34_000);
    const members = Array.from({ length: 12 }, (_, i) => ({
      summary: huge,
      name: `${huge}${i}`,
      labels: { pod: huge, alertname: 'x' },
    }));
    const card = incidentCard(incident(members, { title: huge, service: huge }), options);
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(30 * 1024);
    expect(markdownText(card)).toContain('…');
  });

  it('keeps the layout of the firing card when resolved: same fields, plus the recovery time', () => {
    const fields = (value: StoredIncident) =>
      markdownText(incidentCard(value, options))
        .split('\n')
        .filter((line) => line.startsWith('**'))
        .map((line) => line.split('：')[0]);
    const firing = fields(incident());
    expect(fields(resolvedOf(incident())).filter((field) => field !== '**恢复时间**')).toEqual(firing);
  });
});

describe('the knowledge on an incident card', () => {
  it('shows the matching section and its first lines, and links to them on the detail page', () => {
    const related = {
      title: 'Nginx 502',
      section: '处理步骤',
      source: '',
      excerpt: '先看 upstream 是否存活：`systemctl status app`，再看 *error.log*',
    };
    const detailLink = (kind: string, id: string) => `https://ops.example.com/${kind}/${id}?exp=1&sig=s`;
    const card = incidentCard(incident([{}], { related, links: {} }), { ...options, detailLink });
    const text = markdownText(card);
    expect(text).toContain('**相关知识**：Nginx 502 · 处理步骤');
    expect(text).toContain(`　${escapeMarkdown(related.excerpt)}`);
    const byText = Object.fromEntries(buttons(card).map((button) => [button.text.content, button]));
    expect(byText['相关知识']?.behaviors).toEqual([
      { type: 'open_url', default_url: 'https://ops.example.com/incidents/9c2e4b1a7d3f?exp=1&sig=s#knowledge' },
    ]);
  });
});

describe('诊断 on an incident card', () => {
  it('is offered for the inventory host of the alert that opened it, while it is open', () => {
    const open = incidentCard(incident([{}], { diagnoseHost: 'web-01' }), options);
    const diagnose = buttons(open).find((button) => button.text.content === '诊断 web-01');
    expect(diagnose?.behaviors).toEqual([
      { type: 'callback', value: { action: 'diagnose', incidentId: '9c2e4b1a7d3f' } },
    ]);
    const done = incidentCard(resolvedOf(incident([{}], { diagnoseHost: 'web-01' })), options);
    expect(buttons(done).map((button) => button.text.content)).not.toContain('诊断 web-01');
    expect(buttons(incidentCard(incident(), options)).map((button) => button.text.content)).not.toContain('诊断');
  });
});
