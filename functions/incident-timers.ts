import middy from '@middy/core';
import { wakeupSchema, type Wakeup } from '../lib/incidents/timers.js';
import { onWakeup } from '../lib/incidents/worker.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { incidentTimers } from '../lib/root/incident-timers.js';

const timers = incidentTimers();

/**
 * The incident worker (lib/incidents/worker.ts): for each woken incident, what is due (escalation steps, reminders)
 * and its cards brought up to date.
 */
export const handler = middy<ParsedSqsEvent<Wakeup>, FailedRecords>()
  .use(logContext('incident-timers'))
  .use(partialBatchFailures())
  .use(sqsRecords('incident-timers', wakeupSchema))
  .handler(async (event, lambda) => {
    const deps = await timers.forBatch();
    return eachRecord(event.parsed, lambda, (wakeup) => onWakeup(wakeup, deps), {
      name: 'incident-timers',
      reserveMs: 10_000,
      orderKey: (wakeup) => wakeup.incidentId,
    });
  });
