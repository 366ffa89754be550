import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, type Logger } from '../logger.js';

interface Outcome {
  statusCode?: number;
  batchItemFailures?: unknown[];
}
type Invocation = Request<{ rawPath?: string; Records?: unknown[] }, Outcome | undefined, Error, Context>;

/**
 * One log line per invocation with the function's name, the request id and how long it took: for HTTP the path and
 * status (a rejection as a warning with its reason), for SQS how many records came and failed. Used first, so it
 * sees the response that the error middlewares made of a failure.
 */
export function logContext(
  name: string,
  log: Logger = logger.child({ function: name }),
): MiddlewareObj<Invocation['event'], Outcome | undefined, Error, Context> {
  const fields = ({ event, context, response, internal }: Invocation) => ({
    requestId: context?.awsRequestId,
    path: event.rawPath,
    records: event.Records?.length,
    status: response?.statusCode,
    failed: response?.batchItemFailures?.length,
    ms: Date.now() - (internal as { startedAt: number }).startedAt,
  });
  return {
    before: async (request) => void Object.assign(request.internal, { startedAt: Date.now() }),
    after: async (request) => log.info('invocation done', fields(request)),
    onError: async (request) => {
      const line = fields(request);
      if ((line.status ?? 500) < 500) log.warn('request rejected', { ...line, reason: request.error?.message });
      else log.error('invocation failed', { ...line, error: request.error });
    },
  };
}
