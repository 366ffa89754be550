import { severityLabel } from '../alerts/card.js';
import { severities, type Severity } from '../alerts/severity.js';
import { clip, escapeMarkdown, formatDuration, formatTime, noticeCard } from '../feishu/cards.js';
import { wallClock } from '../lambda/wall-clock.js';
import { incidentSeverity, type StoredIncident } from './model.js';

/** The period a report covers, as ISO instants: from inclusive, to exclusive. */
export interface ReportWindow {
  from: string;
  to: string;
}

/** How long people took, in ms, by nearest rank; the percentiles are undefined when there are no samples. */
export interface ResponseTimes {
  samples: number;
  p50?: number;
  p90?: number;
}

/** One person's pages in the window; `name` is the roster's, or the open_id when the roster does not know them. */
export interface PersonPages {
  openId: string;
  name: string;
  pages: number;
  /** Pages at 22:00–08:00 in the report's time zone. */
  nightPages: number;
}

/** How many of something, by name (a service, an alert). */
export interface NamedCount {
  name: string;
  count: number;
}

/** The response-time report over the incidents opened in a window: what the weekly report card shows. */
export interface IncidentReport {
  window: ReportWindow;
  total: number;
  /** Every severity, 0 when none, by each incident's worst severity. */
  bySeverity: Record<Severity, number>;
  /** Most incidents first, then by name. */
  byService: NamedCount[];
  /** Time to acknowledge, over the acknowledged incidents. */
  mtta: ResponseTimes;
  /** Time to resolve, over the resolved incidents. */
  mttr: ResponseTimes;
  /** Incidents that went beyond the first escalation level, and how many levels beyond it they went in all. */
  escalations: { incidents: number; extraLevels: number };
  /** Pages made inside the window, by the person paged; most paged first. */
  pages: { total: number; night: number; byPerson: PersonPages[] };
  /** The alerts that joined incidents most often (one per tracked member), at most NOISIEST_ALERTS. */
  noisiestAlerts: NamedCount[];
  /** Self-healing outcomes; rate = fixed / (fixed + failed), undefined when nothing was tried. */
  selfHeal: { fixed: number; failed: number; rate?: number };
}

const NOISIEST_ALERTS = 5;
/** People listed on the card; the rest only count towards the totals. */
const LISTED_PEOPLE = 10;
/** Services listed on the card's one line. */
const LISTED_SERVICES = 5;
/** Local hours at which a page wakes someone up: from 22:00 until 08:00. */
const NIGHT_FROM = 22;
const NIGHT_UNTIL = 8;

const byCountThenName = (a: NamedCount, b: NamedCount) => b.count - a.count || a.name.localeCompare(b.name);

const counted = (names: string[]): NamedCount[] => {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort(byCountThenName);
};

/** The nearest-rank percentile of ascending samples: always one of the samples, never an interpolation. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

function responseTimes(durations: number[]): ResponseTimes {
  const sorted = [...durations].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90) };
}

/** Whether an instant falls at night in `timeZone`: the hour as a clock there shows it, daylight saving included. */
function nightIn(timeZone: string): (iso: string) => boolean {
  return (iso) => {
    const { hour } = wallClock(iso, timeZone);
    return hour >= NIGHT_FROM || hour < NIGHT_UNTIL;
  };
}

/**
 * The response-time report over the incidents opened in `window` (the caller selects them). Pages are counted only
 * when made inside the window, so an incident opened just before its end does not bring the next period's pages in.
 */
export function incidentReport(
  incidents: StoredIncident[],
  window: ReportWindow,
  options: { timeZone: string; names: Map<string, string> },
): IncidentReport {
  const bySeverity = Object.fromEntries(severities.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const incident of incidents) bySeverity[incidentSeverity(incident)] += 1;

  const acknowledged = incidents.filter((incident) => incident.acknowledgedAt);
  const resolved = incidents.filter((incident) => incident.state === 'resolved' && incident.resolvedAt);
  const since = (incident: StoredIncident, iso: string) => Date.parse(iso) - Date.parse(incident.openedAt);
  const escalated = incidents.filter((incident) => (incident.escalation?.step ?? 0) > 1);

  const entries = incidents.flatMap((incident) => incident.timeline);
  const [from, to] = [Date.parse(window.from), Date.parse(window.to)];
  const atNight = nightIn(options.timeZone);
  const people = new Map<string, PersonPages>();
  for (const entry of entries) {
    const at = Date.parse(entry.at);
    if (entry.event !== 'paged' || !entry.actor || at < from || at >= to) continue;
    const person = people.get(entry.actor) ?? {
      openId: entry.actor,
      name: options.names.get(entry.actor) ?? entry.actor,
      pages: 0,
      nightPages: 0,
    };
    person.pages += 1;
    if (atNight(entry.at)) person.nightPages += 1;
    people.set(entry.actor, person);
  }
  const byPerson = [...people.values()].sort((a, b) => b.pages - a.pages || a.name.localeCompare(b.name));

  const fixed = entries.filter((entry) => entry.event === 'self_heal_fixed').length;
  const failed = entries.filter((entry) => entry.event === 'self_heal_failed').length;

  return {
    window,
    total: incidents.length,
    bySeverity,
    byService: counted(incidents.map((incident) => incident.service)),
    mtta: responseTimes(acknowledged.map((incident) => since(incident, incident.acknowledgedAt!))),
    mttr: responseTimes(resolved.map((incident) => since(incident, incident.resolvedAt!))),
    escalations: {
      incidents: escalated.length,
      extraLevels: escalated.reduce((sum, incident) => sum + incident.escalation!.step - 1, 0),
    },
    pages: {
      total: byPerson.reduce((sum, person) => sum + person.pages, 0),
      night: byPerson.reduce((sum, person) => sum + person.nightPages, 0),
      byPerson,
    },
    noisiestAlerts: counted(
      incidents.flatMap((incident) => Object.values(incident.members).map((member) => member.name)),
    ).slice(0, NOISIEST_ALERTS),
    selfHeal: { fixed, failed, rate: fixed + failed ? fixed / (fixed + failed) : undefined },
  };
}

/** formatDuration rounds to minutes, which would show a quick acknowledgement as `0 分钟`. */
const duration = (ms: number) => (ms < 60_000 ? `${Math.max(0, Math.floor(ms / 1000))} 秒` : formatDuration(ms));

const responseLine = (label: string, times: ResponseTimes, done: string) =>
  times.samples
    ? `**${label}**：p50 ${duration(times.p50!)} · p90 ${duration(times.p90!)}（${times.samples} 起${done}）`
    : `**${label}**：-（没有${done}的事件）`;

/**
 * The report as a Feishu card (JSON 2.0): counts, response times, escalations, pages (who was woken at night), the
 * noisiest alerts and how often self-healing worked, over the window in the display time zone.
 */
export function reportCard(report: IncidentReport, options: { timeZone: string; title: string }): object {
  const range = `**时间范围**：${formatTime(report.window.from, options.timeZone)} – ${formatTime(report.window.to, options.timeZone)}`;
  if (!report.total) return noticeCard(options.title, ['这段时间没有事件 ✅', range], 'blue');
  const text = (name: string) => escapeMarkdown(clip(name, 100));
  const { pages, selfHeal } = report;
  const lines = [
    range,
    `**事件**：${report.total} 起（${severities.map((severity) => `${severityLabel[severity]} ${report.bySeverity[severity]}`).join(' · ')}）`,
    `**服务**：${report.byService
      .slice(0, LISTED_SERVICES)
      .map((service) => `${text(service.name)} ${service.count}`)
      .join(' · ')}${report.byService.length > LISTED_SERVICES ? ` 等 ${report.byService.length} 个` : ''}`,
    responseLine('MTTA', report.mtta, '已确认'),
    responseLine('MTTR', report.mttr, '已解决'),
    `**升级**：${report.escalations.incidents} 起升级过第一级，共多升 ${report.escalations.extraLevels} 级`,
    `**加急**：共 ${pages.total} 次，夜间（22:00–08:00）${pages.night} 次`,
    ...pages.byPerson
      .slice(0, LISTED_PEOPLE)
      .map(
        (person) =>
          `- ${text(person.name)}：${person.pages} 次${person.nightPages ? `（夜间 ${person.nightPages} 次）` : ''}`,
      ),
    '**最吵的告警**：',
    ...report.noisiestAlerts.map((alert) => `- ${text(alert.name)}：${alert.count} 条`),
    selfHeal.rate === undefined
      ? '**自愈成功率**：-（没有自愈记录）'
      : `**自愈成功率**：${Math.round(selfHeal.rate * 100)}%（成功 ${selfHeal.fixed} · 失败 ${selfHeal.failed}）`,
  ];
  return noticeCard(options.title, lines, 'blue');
}
