import middy from '@middy/core';
import { forwardedAlertSchema, type ForwardedAlert } from '../lib/alerts/dedup.js';
import { runAlertPath } from '../lib/alerts/pipeline.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachRecord, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { alertRouter } from '../lib/root/alert-router.js';

const router = alertRouter();

/**
 * Runs each deduplicated alert down the alert path (lib/alerts/pipeline.ts); one fingerprint's events in queue
 * order, different fingerprints at once.
 */
export const handler = middy<ParsedSqsEvent<ForwardedAlert>, FailedRecords>()
  .use(logContext('alert-router'))
  .use(publishMetrics('alert-router', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('alert-router', forwardedAlertSchema))
  .handler(async (event, lambda) => {
    const context = await router.forBatch();
    return eachRecord(event.parsed, lambda, (forwarded) => runAlertPath(forwarded, context), {
      name: 'alert-router',
      reserveMs: 10_000,
      orderKey: (forwarded) => forwarded.alert.fingerprint,
    });
  });
