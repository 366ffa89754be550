import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from '../errors.js';
import { json, type HttpEvent, type HttpResult } from '../http.js';

/** What an error response says, before it is shaped for the caller: the status, a safe message, and its details. */
export interface ErrorAnswer {
  statusCode: number;
  error: string;
  details?: unknown;
  requestId?: string;
}

const asJson = ({ statusCode, ...body }: ErrorAnswer): HttpResult => json(statusCode, body);

/**
 * Turns whatever a handler or a middleware threw into a response (JSON unless `shape` says otherwise, e.g. an HTML
 * page for a browser): an HttpError keeps its status, its message and the details that name every bad field; anything
 * else is a 500 that gives only the request id, so no stack trace reaches a caller (the log has it).
 */
export function httpErrors(
  shape: (answer: ErrorAnswer) => HttpResult = asJson,
): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    onError: async (request) => {
      const { error } = request;
      request.response = shape(
        error instanceof HttpError
          ? { statusCode: error.statusCode, error: error.message, ...(error.details ? { details: error.details } : {}) }
          : { statusCode: 500, error: 'internal error', requestId: request.context?.awsRequestId },
      );
    },
  };
}
