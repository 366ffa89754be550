import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from '../errors.js';
import { json, type HttpEvent, type HttpResult } from '../http.js';

/**
 * Turns whatever a handler or a middleware threw into a JSON response: an HttpError keeps its status, its message
 * and the details that name every bad field; anything else is a 500 that gives only the request id, so no stack
 * trace reaches a caller (the log has it).
 */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    onError: async (request) => {
      const { error } = request;
      request.response =
        error instanceof HttpError
          ? json(error.statusCode, { error: error.message, ...(error.details ? { details: error.details } : {}) })
          : json(500, { error: 'internal error', requestId: request.context?.awsRequestId });
    },
  };
}
