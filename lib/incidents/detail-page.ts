import { severityLabel } from '../alerts/card.js';
import { formatDuration, formatTime } from '../feishu/cards.js';
import { incidentSeverity, isOpen, newestMembers, type StoredIncident } from './model.js';
import { eventLabel } from './timeline.js';

/** A knowledge-base section shown on the page: the incident's runbook section and the best search hits. */
export interface PageKnowledge {
  title: string;
  section: string;
  /** Plain text, a few lines of the section. */
  excerpt?: string;
  source?: string;
}

/** An action run for the incident, as the page shows it (made from the automation domain's request at the root). */
export interface ActionRun {
  requestId: string;
  /** What it did, with its arguments: `重启服务 unit=nginx host=web-1`. */
  title: string;
  /** Its status as people read it: 成功, 失败, 待审批… */
  status: string;
  requester: string;
  requestedAt: string;
  finishedAt?: string;
  summary?: string;
  outputTail?: string;
}

export interface IncidentPageView {
  incident: StoredIncident;
  /** The actions run for it, newest first. */
  actions: ActionRun[];
  knowledge: PageKnowledge[];
  /** People by open_id, for the timeline. */
  names: Map<string, string>;
  timeZone: string;
  now: string;
  /** This response's CSP nonce: the page's one style block carries it, and nothing else may run or load. */
  nonce: string;
}

/** Members listed on the page: all it tracks, up to this many (the card shows 10). */
const LISTED_MEMBERS = 100;
/** The end of an action's output shown: what a person reads to see how it ended. */
const OUTPUT_TAIL_CHARS = 2000;

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for HTML content and quoted attributes: nothing from an alert or a person becomes markup. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => entities[ch]!);

/** Only http(s) links become anchors; anything else in a payload is shown as text. */
const link = (url: string | undefined, text: string) =>
  url && /^https?:\/\/[^\s]+$/i.test(url) && url.length <= 2000
    ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">${escapeHtml(text)}</a>`
    : escapeHtml(text);

/**
 * The headers of every page: no script, no outside request of any kind, only the one style block with this
 * response's nonce; never cached or framed, and no Referer sent from it, so the signed URL does not leak through links.
 */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src 'nonce-${nonce}'`,
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}

/** Readable on a phone in Feishu's in-app browser: one column, system fonts, long lines wrap. */
const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.55 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",
sans-serif;color:#1f2329;background:#f5f6f7}main{max-width:860px;margin:0 auto;padding:12px}header{padding:14px 16px;
border-radius:8px;color:#fff;background:#3370ff}header.critical{background:#d83931}header.warning{background:#de7802}
header.resolved{background:#2ea121}h1{font-size:19px;margin:4px 0}h2{font-size:16px;margin:0 0 8px}
section{background:#fff;border-radius:8px;padding:12px 16px;margin-top:12px}dl{display:grid;
grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}dt{color:#646a73}dd{margin:0;overflow-wrap:anywhere}
ul,ol{margin:0;padding-left:20px}li{margin:4px 0;overflow-wrap:anywhere}.muted{color:#646a73;font-size:13px}
.tag{display:inline-block;background:#f0f1f2;border-radius:4px;padding:0 6px;margin:2px 4px 0 0;font-size:13px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f5f6f7;padding:8px;border-radius:6px;font-size:12px;
max-height:320px;overflow:auto}a{color:#245bdb}`.replace(/\n/g, '');

/** The HTML document around a page's body. */
function document(title: string, body: string, nonce: string): string {
  return [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="robots" content="noindex,nofollow">',
    `<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>`,
    `<body><main>${body}</main></body></html>`,
  ].join('');
}

const stateNames = { triggered: '处理中', acknowledged: '已确认', resolved: '已恢复' } as const;

/**
 * An incident's detail page, rendered on the server: status, severity and how long it lasted; who acknowledged,
 * resolved and why; its members with their labels; the whole timeline; the actions run for it with the end of their
 * output; and its runbook and the best knowledge-base sections. Everything from outside is escaped.
 */
export function incidentPage(view: IncidentPageView): string {
  const { incident, timeZone } = view;
  const time = (iso?: string) => escapeHtml(formatTime(iso, timeZone));
  const severity = incidentSeverity(incident);
  const lasted = formatDuration(Date.parse(incident.resolvedAt ?? view.now) - Date.parse(incident.openedAt));
  const named = (text: string) => text.replace(/ou_[A-Za-z0-9_-]+/g, (openId) => view.names.get(openId) ?? openId);
  const person = (actor?: { openId: string; name?: string }) =>
    actor ? escapeHtml(actor.name ?? view.names.get(actor.openId) ?? actor.openId) : '';
  const facts: [string, string][] = [
    ['状态', `${stateNames[incident.state]} · ${escapeHtml(severityLabel[severity])}`],
    ['服务', escapeHtml(incident.service)],
    ['告警', `${incident.firing} 条触发中，${incident.resolved} 条已恢复`],
    ['开始', time(incident.openedAt)],
    ['持续', escapeHtml(lasted)],
  ];
  if (incident.plan.onCall) facts.push(['值班人', escapeHtml(incident.plan.onCall.name)]);
  if (incident.acknowledgedAt)
    facts.push(['确认', `${person(incident.acknowledgedBy)} ${time(incident.acknowledgedAt)}`]);
  if (incident.resolvedAt) facts.push([incident.resolvedBy ? '解决' : '恢复', time(incident.resolvedAt)]);
  if (incident.resolvedBy) facts.push(['解决人', person(incident.resolvedBy)]);
  if (incident.resolutionNote) facts.push(['处理说明', escapeHtml(incident.resolutionNote)]);
  if (incident.escalation)
    facts.push(['升级', `第 ${incident.escalation.step} 级（策略 ${escapeHtml(incident.escalation.policy)}）`]);

  const members = newestMembers(incident, LISTED_MEMBERS).map((member) => {
    const labels = Object.entries(member.labels)
      .map(([key, value]) => `<span class="tag">${escapeHtml(key)}=${escapeHtml(value)}</span>`)
      .join('');
    const state =
      member.status === 'resolved' ? `已恢复 ${time(member.resolvedAt)}` : escapeHtml(severityLabel[member.severity]);
    return (
      `<li><b>${escapeHtml(member.name)}</b> · ${state}<br>${escapeHtml(member.summary)}` +
      `<br>${labels}<span class="muted">${time(member.at)} · ${escapeHtml(member.alertId)}</span></li>`
    );
  });
  const tracked = Object.keys(incident.members).length;
  const untracked = incident.firing + incident.resolved - Math.min(tracked, LISTED_MEMBERS);

  const timeline = incident.timeline.map(
    (entry) =>
      `<li><span class="muted">${time(entry.at)}</span> ${escapeHtml(eventLabel(entry.event))}` +
      `${entry.detail ? `：${escapeHtml(named(entry.detail))}` : ''}</li>`,
  );

  const actions = view.actions.map((run) => {
    const output = run.outputTail ? `<pre>${escapeHtml(run.outputTail.slice(-OUTPUT_TAIL_CHARS))}</pre>` : '';
    return (
      `<li><b>${escapeHtml(run.title)}</b> · ${escapeHtml(run.status)}` +
      `<br><span class="muted">${escapeHtml(run.requester)} · ${time(run.requestedAt)}` +
      `${run.finishedAt ? ` → ${time(run.finishedAt)}` : ''}</span>` +
      `${run.summary ? `<br>${escapeHtml(run.summary)}` : ''}${output}</li>`
    );
  });

  const runbook = incident.links?.runbook;
  const knowledge = view.knowledge.map(
    (entry) =>
      `<li>${link(entry.source, `${entry.title} · ${entry.section}`)}` +
      `${entry.excerpt ? `<br><span class="muted">${escapeHtml(entry.excerpt)}</span>` : ''}</li>`,
  );

  const tone = isOpen(incident) ? (severity === 'critical' || severity === 'warning' ? severity : '') : 'resolved';
  const body = [
    `<header class="${tone}"><div>事件 ${escapeHtml(incident.incidentId)}</div>`,
    `<h1>${escapeHtml(incident.title)}</h1></header>`,
    `<section><dl>${facts.map(([key, value]) => `<dt>${key}</dt><dd>${value}</dd>`).join('')}</dl></section>`,
    `<section><h2>告警（共 ${incident.firing + incident.resolved} 条）</h2><ul>${members.join('')}</ul>`,
    untracked > 0 ? `<p class="muted">另有 ${untracked} 条未逐条列出</p>` : '',
    '</section>',
    `<section><h2>时间线</h2><ol>${timeline.join('')}</ol></section>`,
    `<section><h2>执行的操作</h2>${actions.length ? `<ul>${actions.join('')}</ul>` : '<p class="muted">没有</p>'}</section>`,
    '<section id="knowledge"><h2>处理手册与知识库</h2>',
    runbook || incident.links?.detail
      ? `<p>${[runbook && link(runbook, '处理手册'), incident.links?.detail && link(incident.links.detail, '告警来源')].filter(Boolean).join(' · ')}</p>`
      : '',
    knowledge.length ? `<ul>${knowledge.join('')}</ul>` : '<p class="muted">知识库中没有相关内容</p>',
    '</section>',
    `<p class="muted">生成于 ${time(view.now)}（${escapeHtml(timeZone)}）</p>`,
  ].join('');
  return document(`[${severityLabel[severity]}] ${incident.title}`, body, view.nonce);
}

/** A page that says, in one line, why there is nothing to show (a refused link, a missing incident). */
export function noticePage(title: string, message: string, nonce: string): string {
  return document(title, `<section><h2>${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p></section>`, nonce);
}
