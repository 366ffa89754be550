import * as z from 'zod';
import type { Messenger } from '../feishu/messenger.js';
import { stableId } from '../lambda/ids.js';
import type { Logger } from '../lambda/logger.js';
import type { Queue } from '../lambda/queue.js';
import { WEEKDAYS, wallClock } from '../lambda/wall-clock.js';
import { incidentReport, reportCard, type ReportWindow } from './report.js';
import type { IncidentRepository } from './repository.js';
import { sendAt } from './timers.js';

/** Incidents a report reads at most: a window with more is reported on its latest ones, and says so. */
export const REPORT_LIMIT = 5000;
const DAY_MS = 86_400_000;
/** A weekly report missed by this much (the sweep was down) is still posted late; an older one is skipped. */
const CATCH_UP_MS = 3600_000;

/** The timers queue's message that posts the weekly report due at `at`. */
export const weeklyReportSchema = z.object({ report: z.literal('weekly'), at: z.iso.datetime() });
export type WeeklyReport = z.infer<typeof weeklyReportSchema>;

/**
 * Claims on the weekly reports, one per due time (the Feishu delivery ledger's: claimed with a lease, then done, or let
 * go), so one sweep queues each report.
 */
export interface ReportClaims {
  claim(key: string, now: number, leaseMs: number): Promise<'claimed' | 'done' | 'busy'>;
  complete(key: string, now: number): Promise<void>;
  release(key: string): Promise<void>;
}
/** Longer than a sweep runs: a sweep that died holding a report's claim lets the next minute's take it. */
const CLAIM_LEASE_MS = 30_000;

/**
 * Incidents opened in [from, to), at most `limit`: an incident opened in the window last changed state (opened,
 * acknowledged, resolved, reopened) after `from`, so each state's index entries since then are all it takes, with
 * no scan of every incident.
 */
export async function openedBetween(incidents: IncidentRepository, from: string, to: string, limit: number) {
  const states = await Promise.all(
    (['triggered', 'acknowledged', 'resolved'] as const).map((state) => incidents.list(state, { limit, since: from })),
  );
  return states
    .flat()
    .filter((incident) => incident.openedAt >= from && incident.openedAt < to)
    .slice(0, limit);
}

export interface ReportDeps {
  incidents: IncidentRepository;
  names: Map<string, string>;
  timeZone: string;
}

/** The report card over the incidents opened in `window`, titled `title`. */
export async function reportOver(window: ReportWindow, title: string, deps: ReportDeps): Promise<object> {
  const incidents = await openedBetween(deps.incidents, window.from, window.to, REPORT_LIMIT);
  const report = incidentReport(incidents, window, { timeZone: deps.timeZone, names: deps.names });
  const capped = incidents.length >= REPORT_LIMIT ? `（只统计了最近的 ${REPORT_LIMIT} 起）` : '';
  return reportCard(report, { timeZone: deps.timeZone, title: `${title}${capped}` });
}

/** The last `days` days up to now. */
export const lastDays = (days: number, nowMs: number): ReportWindow => ({
  from: new Date(nowMs - days * DAY_MS).toISOString(),
  to: new Date(nowMs).toISOString(),
});

/**
 * The latest time at or before `nowMs` that a weekly schedule such as `Mon 09:00` names, in `timeZone`: worked out
 * from the wall clock there now, so it holds in any zone (a zone's daylight-saving change moves it by that hour once).
 */
export function lastWeeklyDue(schedule: string, timeZone: string, nowMs: number): string {
  const [day, time] = schedule.split(' ') as [string, string];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const clock = wallClock(nowMs, timeZone);
  const sinceWeekStart = (weekday: number, h: number, m: number) => weekday * 1440 + h * 60 + m;
  const now = sinceWeekStart(clock.weekday, clock.hour, clock.minute);
  const due = sinceWeekStart(WEEKDAYS.indexOf(day), hour, minute);
  const minutesAgo = (now - due + 7 * 1440) % (7 * 1440);
  const nowMinute = Math.floor(nowMs / 60_000) * 60_000;
  return new Date(nowMinute - minutesAgo * 60_000).toISOString();
}

/**
 * The sweep's part in the weekly report: once its time has come (within the hour), the first sweep to claim it queues
 * the message that posts it, on the timers queue like every other timer. A report whose message could not be queued
 * is let go, so the next minute's sweep takes it again; the post itself carries a `uuid`, so nothing is posted twice.
 */
export async function sweepWeeklyReport(deps: {
  schedule: { chatId: string; at: string } | undefined;
  claims: ReportClaims;
  reports: Queue<WeeklyReport>;
  timeZone: string;
  now: () => number;
  log: Logger;
}): Promise<void> {
  if (!deps.schedule) return;
  const nowMs = deps.now();
  const due = lastWeeklyDue(deps.schedule.at, deps.timeZone, nowMs);
  if (nowMs - Date.parse(due) > CATCH_UP_MS) return;
  const key = `weekly-report#${due}`;
  if ((await deps.claims.claim(key, nowMs, CLAIM_LEASE_MS)) !== 'claimed') return;
  deps.log.info('weekly report due', { at: due, chatId: deps.schedule.chatId });
  try {
    await sendAt(deps.reports, { report: 'weekly', at: due }, nowMs, `the weekly report of ${due}`);
  } catch (error) {
    await deps.claims.release(key);
    throw error;
  }
  await deps.claims.complete(key, nowMs);
}

/** Posts the weekly report due at `message.at` (the 7 days before it) to its chat; a redelivery posts nothing new. */
export async function postWeeklyReport(
  message: WeeklyReport,
  deps: ReportDeps & { messenger: Messenger; chatId: string | undefined; log: Logger },
): Promise<void> {
  if (!deps.chatId) return deps.log.warn('weekly report dropped: no chat configured', { at: message.at });
  const window = lastDays(7, Date.parse(message.at));
  const card = await reportOver(window, '每周事件报告', deps);
  await deps.messenger.sendCard({ kind: 'chat', id: deps.chatId }, card, stableId('weekly-report', message.at));
  deps.log.info('weekly report posted', { at: message.at, chatId: deps.chatId });
}
