import middy from '@middy/core';
import { handleTask } from '../lib/chatops/handle.js';
import { chatopsOrderKey, chatopsTaskSchema, type ChatopsTask } from '../lib/chatops/tasks.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { chatops } from '../lib/root/chatops.js';

const root = chatops();

/** Chat commands and card follow-ups from the `commands` queue (lib/chatops/handle.ts), one chat's in order. */
export const handler = middy<ParsedSqsEvent<ChatopsTask>, FailedRecords>()
  .use(logContext('chatops'))
  .use(publishMetrics('chatops', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('chatops', chatopsTaskSchema))
  .handler(async (event, lambda) => {
    const deps = await root.deps();
    const attempt = (record: { attributes?: Record<string, string> }) =>
      Number(record.attributes?.ApproximateReceiveCount ?? 1);
    return eachRecord(event.parsed, lambda, (task, record) => handleTask(task, attempt(record), deps), {
      name: 'chatops',
      reserveMs: 8_000,
      orderKey: chatopsOrderKey,
    });
  });
