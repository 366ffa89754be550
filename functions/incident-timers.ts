import middy from '@middy/core';
import { releaseMuted, timerMessageSchema, type TimerMessage } from '../lib/incidents/release.js';
import { postWeeklyReport } from '../lib/incidents/report-schedule.js';
import { onWakeup } from '../lib/incidents/worker.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { incidentTimers } from '../lib/root/incident-timers.js';

const timers = incidentTimers();

/**
 * The incident worker (lib/incidents/worker.ts): for each woken incident, what is due (escalation steps, reminders)
 * and its cards brought up to date; the release of muted alerts whose silence or inhibitor ended (release.ts); and
 * the weekly report (report-schedule.ts).
 */
export const handler = middy<ParsedSqsEvent<TimerMessage>, FailedRecords>()
  .use(logContext('incident-timers'))
  .use(publishMetrics('incident-timers', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('incident-timers', timerMessageSchema))
  .handler(async (event, lambda) => {
    const deps = await timers.forBatch();
    const run = (message: TimerMessage) =>
      'release' in message
        ? releaseMuted(message, deps)
        : 'report' in message
          ? postWeeklyReport(message, deps)
          : onWakeup(message, deps);
    return eachRecord(event.parsed, lambda, run, {
      name: 'incident-timers',
      reserveMs: 10_000,
      orderKey: (message) => ('incidentId' in message ? message.incidentId : Object.keys(message)[0]!),
    });
  });
