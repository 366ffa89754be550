import middy from '@middy/core';
import { handleAutomationTask } from '../lib/automation/runner.js';
import { automationOrderKey, automationTaskSchema, type AutomationTask } from '../lib/automation/tasks.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { automationRunner } from '../lib/root/automation-runner.js';

const root = automationRunner();

/** Runs automation tasks (lib/automation/runner.ts): requests, approval expiries, reports, self-healing. */
export const handler = middy<ParsedSqsEvent<AutomationTask>, FailedRecords>()
  .use(logContext('automation-runner'))
  .use(publishMetrics('automation-runner', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('automation-runner', automationTaskSchema))
  .handler(async (event, lambda) => {
    const deps = await root.deps();
    return eachRecord(event.parsed, lambda, (task) => handleAutomationTask(task, deps), {
      name: 'automation-runner',
      reserveMs: 5_000,
      orderKey: automationOrderKey,
    });
  });
