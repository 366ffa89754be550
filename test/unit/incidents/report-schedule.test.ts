import { describe, expect, it } from 'vitest';
import {
  lastWeeklyDue,
  postWeeklyReport,
  sweepWeeklyReport,
  type WeeklyReport,
} from '../../../lib/incidents/report-schedule.js';
import { MemoryDeliveryLedger } from '../fakes/delivery-ledger.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { makeIncident } from '../fakes/incidents.js';
import { recordingLogger } from '../fakes/logger.js';
import { RecordingMessenger } from '../fakes/messenger.js';
import { RecordingQueue } from '../fakes/queue.js';

const ZONE = 'Asia/Shanghai';
// Monday 2026-11-30 09:00 in Shanghai is 01:00 UTC.
const MONDAY_9 = Date.parse('2026-11-30T01:00:00Z');

describe('the weekly report', () => {
  it('is due at the last weekday and local time the schedule names', () => {
    expect(lastWeeklyDue('Mon 09:00', ZONE, MONDAY_9)).toBe('2026-11-30T01:00:00.000Z');
    expect(lastWeeklyDue('Mon 09:00', ZONE, MONDAY_9 + 90_500)).toBe('2026-11-30T01:00:00.000Z');
    expect(lastWeeklyDue('Mon 09:00', ZONE, MONDAY_9 - 60_000)).toBe('2026-11-23T01:00:00.000Z');
    expect(lastWeeklyDue('Sun 23:30', ZONE, MONDAY_9)).toBe('2026-11-29T15:30:00.000Z');
  });

  it('is queued once by the sweeps of its hour, none later, and again if its message could not be queued', async () => {
    const claims = new MemoryDeliveryLedger();
    const reports = new RecordingQueue<WeeklyReport>();
    let now = MONDAY_9 + 60_000;
    const sweep = () =>
      sweepWeeklyReport({
        schedule: { chatId: 'oc_ops', at: 'Mon 09:00' },
        claims,
        reports,
        timeZone: ZONE,
        now: () => now,
        log: recordingLogger(),
      });
    reports.failing = true;
    await expect(sweep()).rejects.toThrow('could not be queued');
    reports.failing = false;
    await sweep();
    now += 60_000;
    await sweep();
    expect(reports.sent.map((sent) => sent.message)).toEqual([{ report: 'weekly', at: '2026-11-30T01:00:00.000Z' }]);
    const late = new RecordingQueue<WeeklyReport>();
    now = MONDAY_9 + 2 * 3600_000;
    await sweepWeeklyReport({
      schedule: { chatId: 'oc_ops', at: 'Mon 09:00' },
      claims: new MemoryDeliveryLedger(),
      reports: late,
      timeZone: ZONE,
      now: () => now,
      log: recordingLogger(),
    });
    expect(late.sent).toEqual([]);
  });

  it("posts the week's incidents to its chat with one key per week, so a redelivery posts nothing new", async () => {
    const incidents = new MemoryIncidentRepository();
    const inWeek = makeIncident({ openedAt: '2026-11-27T03:00:00.000Z', service: 'payments' });
    const before = makeIncident({ openedAt: '2026-11-20T03:00:00.000Z', service: 'search' });
    for (const one of [inWeek, before]) incidents.incidents.set(one.incidentId, one);
    const messenger = new RecordingMessenger();
    const deps = { incidents, messenger, chatId: 'oc_ops', names: new Map(), timeZone: ZONE, log: recordingLogger() };
    const message: WeeklyReport = { report: 'weekly', at: '2026-11-30T01:00:00.000Z' };
    await postWeeklyReport(message, deps);
    await postWeeklyReport(message, deps);
    expect(new Set(messenger.sends.map((send) => send.messageId)).size).toBe(1);
    const text = JSON.stringify(messenger.sends[0]!.card);
    expect(text).toContain('每周事件报告');
    expect(text).toContain('payments');
    expect(text).not.toContain('search');
  });
});
