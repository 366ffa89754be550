import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../lib/alerts/model.js';
import type { StoredAlert } from '../../../lib/alerts/repository.js';
import { alertCard } from '../../../lib/alerts/card.js';
import { escapeMarkdown } from '../../../lib/feishu/cards.js';
import { makeAlert } from '../fakes/alerts.js';

const options = { timeZone: 'Asia/Shanghai' };
const feishuTemplates = [
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
];

function stored(alert: Partial<Alert> = {}, fields: Partial<StoredAlert> = {}): StoredAlert {
  const normalised = makeAlert({
    generatorURL: 'https://prometheus.example.com/graph?g0.expr=up',
    runbookURL: 'https://runbooks.example.com/api',
    ...alert,
  });
  return {
    alertId: 'a1b2c3d4e5f6',
    fingerprint: normalised.fingerprint,
    status: 'firing',
    severity: normalised.severity,
    alert: normalised,
    firstSeenAt: '2026-03-02T02:58:00.000Z',
    lastSeenAt: '2026-03-02T03:00:00.000Z',
    countBase: 1,
    count: 1,
    plan: {
      routes: ['default'],
      targets: [{ kind: 'chat', id: 'oc_ops' }],
      onCall: { name: '张伟', openId: 'ou_zhang' },
      channels: ['card'],
    },
    notifications: {},
    openedBy: normalised.eventId,
    lastEventId: normalised.eventId,
    timeline: [],
    ...fields,
  };
}

const resolvedOf = (card: StoredAlert): StoredAlert => ({
  ...card,
  status: 'resolved',
  resolvedAt: '2026-03-02T03:20:00.000Z',
});

interface Card {
  schema: string;
  config: { update_multi: boolean };
  header: { title: { tag: string; content: string }; template: string };
  body: { elements: unknown[] };
}
interface Button {
  tag: 'button';
  text: { content: string };
  behaviors: ({ type: 'callback'; value: Record<string, unknown> } | { type: 'open_url'; default_url: string })[];
}

/** The card as Feishu receives it: its JSON. */
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

describe('alertCard', () => {
  it('is a JSON 2.0 card that can be patched later', () => {
    const card = json(alertCard(stored(), options));
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
  });

  it.each([
    ['critical', 'red', '[严重]'],
    ['warning', 'orange', '[警告]'],
    ['info', 'blue', '[提示]'],
  ] as const)('colours a firing %s alert %s and says so in the title', (severity, template, label) => {
    const card = json(alertCard(stored({ severity }), options));
    expect(card.header.template).toBe(template);
    expect(feishuTemplates).toContain(card.header.template);
    expect(card.header.title).toEqual({ tag: 'plain_text', content: `${label} HighErrorRate` });
  });

  it.each(['critical', 'warning', 'info'] as const)(
    'turns a resolved %s alert green with 已恢复 in the title and no callback buttons',
    (severity) => {
      const card = alertCard(resolvedOf(stored({ severity })), options);
      expect(json(card).header.template).toBe('green');
      expect(json(card).header.title.content).toContain('已恢复');
      expect(callbacks(card)).toEqual([]);
      expect(markdownText(card)).toContain('**恢复时间**：2026/03/02 11:20:00');
    },
  );

  it('offers 确认, 解决 and 静默 1 小时 on a firing card, each a callback naming the action and the alert', () => {
    const card = alertCard(stored(), options);
    const byText = Object.fromEntries(buttons(card).map((button) => [button.text.content, button.behaviors]));
    expect(byText['确认']).toEqual([{ type: 'callback', value: { action: 'ack', alertId: 'a1b2c3d4e5f6' } }]);
    expect(byText['解决']).toEqual([{ type: 'callback', value: { action: 'resolve', alertId: 'a1b2c3d4e5f6' } }]);
    expect(byText['静默 1 小时']).toEqual([
      { type: 'callback', value: { action: 'silence', alertId: 'a1b2c3d4e5f6' } },
    ]);
  });

  it('links 查看详情 to an http(s) generatorURL, on firing and resolved cards', () => {
    for (const state of [stored(), resolvedOf(stored())]) {
      const detail = buttons(alertCard(state, options)).find((button) => button.text.content === '查看详情');
      expect(detail?.behaviors).toEqual([
        { type: 'open_url', default_url: 'https://prometheus.example.com/graph?g0.expr=up' },
      ]);
    }
    const plainHttp = buttons(alertCard(stored({ generatorURL: 'http://prometheus:9090/graph' }), options));
    expect(plainHttp.map((button) => button.text.content)).toContain('查看详情');
  });

  it.each([undefined, 'javascript:alert(1)', 'file:///etc/passwd', 'prometheus:9090/graph'])(
    'has no 查看详情 button for generatorURL %j',
    (generatorURL) => {
      const card = alertCard(stored({ generatorURL, runbookURL: undefined }), options);
      expect(buttons(card).map((button) => button.text.content)).toEqual(['确认', '解决', '静默 1 小时']);
      expect(JSON.stringify(card)).not.toContain('javascript:');
    },
  );

  it('has no buttons at all on a resolved card without a generatorURL or runbook', () => {
    const card = alertCard(resolvedOf(stored({ generatorURL: undefined, runbookURL: undefined })), options);
    expect(buttons(card)).toEqual([]);
  });

  it('shows service, host, summary, times in the display time zone, occurrences, on-call person and runbook', () => {
    const text = markdownText(alertCard(stored({}, { count: 7, countBase: 3 }), options));
    expect(text).toContain('**服务**：api');
    expect(text).toContain('**主机**：api-1:9100');
    expect(text).toContain('**摘要**：API 5xx rate above 5%');
    expect(text).toContain('**首次发生**：2026/03/02 10:58:00');
    expect(text).toContain('**发生次数**：5');
    expect(text).toContain('**值班人**：张伟');
  });

  it('links the runbook with a 处理手册 button, never inside the markdown', () => {
    const card = alertCard(stored({}), options);
    const runbook = buttons(card).find((button) => button.text.content === '处理手册');
    expect(runbook?.behaviors).toEqual([{ type: 'open_url', default_url: 'https://runbooks.example.com/api' }]);
    expect(markdownText(card)).not.toContain('runbooks.example.com');
  });

  it('escapes card-markdown characters in alert text, so an alert cannot add markup, links or mentions', () => {
    const hostile = '**boom** <at id=all></at> [click](https://evil.example.com) `x` ~~y~~ # h _i_';
    const card = alertCard(
      stored({ service: hostile, host: hostile, summary: hostile, description: `${hostile} (details)` }),
      options,
    );
    const text = markdownText(card);
    for (const raw of ['**boom**', '<at', '[click]', '](https://evil', '`x`', '~~y~~', '_i_'])
      expect(text).not.toContain(raw);
    expect(text).toContain(escapeMarkdown(hostile));
    expect(escapeMarkdown('a*b<c>[d](e)')).toBe('a&#42;b&#60;c&#62;&#91;d&#93;&#40;e&#41;');
  });

  // escapeMarkdown's contract is that alert text cannot inject markup or mentions; runbookURL is alert text too
  // (Alertmanager's runbook_url annotation), but it goes into the markdown link unescaped.
  it('does not let a runbook URL add markup or mentions to the card', () => {
    const text = markdownText(
      alertCard(
        stored({
          runbookURL: 'https://runbooks.example.com/x) <at id=all></at> **urgent** [more](https://evil.example.com',
        }),
        options,
      ),
    );
    expect(text).not.toContain('<at id=all>');
    expect(text).not.toContain('**urgent**');
    expect(text).not.toContain('[more](https://evil.example.com');
  });

  it('does not show a runbook link that is not http(s)', () => {
    const card = alertCard(stored({ runbookURL: 'javascript:alert(1)' }), options);
    expect(buttons(card).map((button) => button.text.content)).not.toContain('处理手册');
    expect(JSON.stringify(card)).not.toContain('javascript:');
  });

  it('stays under Feishu 30 KB card limit with a 100 KB description, summary and name', () => {
    const huge = '告警*'.repeat(34_000);
    const card = alertCard(
      stored({ description: huge, summary: huge, name: huge, service: huge, host: huge }),
      options,
    );
    expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThan(30 * 1024);
    expect(markdownText(card)).toContain('…');
  });

  it('keeps the layout of the firing card when resolved: same fields, plus the recovery time', () => {
    const firing = markdownText(alertCard(stored(), options))
      .split('\n')
      .map((line) => line.split('：')[0]);
    const resolved = markdownText(alertCard(resolvedOf(stored()), options))
      .split('\n')
      .map((line) => line.split('：')[0]);
    expect(resolved.filter((field) => field !== '**恢复时间**')).toEqual(firing);
  });
});
