import type { MiddlewareObj, Request } from '@middy/core';
import type { MetricsBuffer } from '../metrics.js';

type Invocation = Request<unknown, { batchItemFailures?: unknown[] } | undefined>;

/**
 * Writes what the invocation counted (lib/lambda/metrics.ts) once it is done, failed or not, and for an SQS batch how
 * many records it reported failed. Used right after logContext, so its `after` runs once partialBatchFailures has
 * made the batch's final answer.
 */
export function publishMetrics(name: string, metrics: MetricsBuffer): MiddlewareObj {
  const publish = async ({ response }: Invocation) => {
    const failed = response?.batchItemFailures?.length;
    if (failed) metrics.add('RecordsFailed', { Function: name }, failed);
    metrics.flush();
  };
  return { after: publish, onError: publish };
}
