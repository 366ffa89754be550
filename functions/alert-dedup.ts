import middy from '@middy/core';
import { dedupBatch } from '../lib/alerts/dedup.js';
import { alertSchema, type Alert } from '../lib/alerts/model.js';
import { logger } from '../lib/lambda/logger.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import type { FailedRecords, ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { alertDedup } from '../lib/root/alert-dedup.js';

const deps = alertDedup();
const log = logger.child({ function: 'alert-dedup' });

/** One conditional write per alert decides whether it goes on to routing (lib/alerts/dedup.ts). */
export const handler = middy<ParsedSqsEvent<Alert>, FailedRecords>()
  .use(logContext('alert-dedup'))
  .use(publishMetrics('alert-dedup', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('alert-dedup', alertSchema))
  .handler(async (event) => dedupBatch(event.parsed, deps, log));
