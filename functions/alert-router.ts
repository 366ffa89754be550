import middy from '@middy/core';
import { forwardedAlertSchema, type ForwardedAlert } from '../lib/alerts/dedup.js';
import { runAlertBatch } from '../lib/alerts/pipeline.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { partialBatchFailures } from '../lib/lambda/middlewares/partial-batch.js';
import { sqsRecords } from '../lib/lambda/middlewares/sqs-records.js';
import { eachWave, type FailedRecords, type ParsedSqsEvent } from '../lib/lambda/sqs.js';
import { metrics } from '../lib/root/adapters.js';
import { alertRouter } from '../lib/root/alert-router.js';

const router = alertRouter();

/**
 * Runs the batch's deduplicated alerts down the alert path together (lib/alerts/pipeline.ts), so the alerts of one
 * incident share its write; one fingerprint's events in queue order, a wave each.
 */
export const handler = middy<ParsedSqsEvent<ForwardedAlert>, FailedRecords>()
  .use(logContext('alert-router'))
  .use(publishMetrics('alert-router', metrics()))
  .use(partialBatchFailures())
  .use(sqsRecords('alert-router', forwardedAlertSchema))
  .handler(async (event, lambda) => {
    const context = await router.forBatch();
    return eachWave(event.parsed, lambda, (batch) => runAlertBatch(batch, context), {
      name: 'alert-router',
      reserveMs: 10_000,
      orderKey: (forwarded) => forwarded.alert.fingerprint,
    });
  });
