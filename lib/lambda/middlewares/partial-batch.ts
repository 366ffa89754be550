import type { MiddlewareObj } from '@middy/core';
import type { FailedRecords, SqsBatchResult, SqsEvent } from '../sqs.js';

/**
 * Reports partial batch failures (`ReportBatchItemFailures`): the message ids the handler returns, and the malformed
 * ones `sqsRecords` set aside, so SQS redelivers only those. A handler that throws fails the whole batch, which is
 * then redelivered whole; nothing is lost.
 */
export function partialBatchFailures(): MiddlewareObj<SqsEvent, SqsBatchResult> {
  const result = (ids: Iterable<string>): SqsBatchResult => ({
    batchItemFailures: [...new Set(ids)].map((itemIdentifier) => ({ itemIdentifier })),
  });
  return {
    after: async (request) => {
      const failed = (request.response ?? []) as unknown as FailedRecords;
      const malformed = (request.event as { malformed?: string[] }).malformed ?? [];
      request.response = result([...malformed, ...failed]);
    },
    onError: async (request) => {
      request.response = result(request.event.Records.map((record) => record.messageId));
    },
  };
}
