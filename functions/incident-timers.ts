import middy from '@middy/core';
import { onWakeup, wakeupSchema, type Wakeup } from '../lib/incidents/timers.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { incidentTimers } from '../lib/root/incident-timers.js';

const timers = incidentTimers();

/** Runs what is due for each woken incident (lib/incidents/timers.ts): escalation steps and reminders. */
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
