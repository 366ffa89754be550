import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpError } from './errors.js';
import { logger } from './logger.js';

/** The API Gateway HTTP API (payload format 2.0) fields the handlers use. */
export interface HttpEvent {
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  headers: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; http?: { method?: string; sourceIp?: string } };
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** A request after the shared middlewares: raw body bytes kept (signatures hash them), headers lower-cased. */
export interface HttpRequest {
  event: HttpEvent;
  rawBody: Buffer;
  headers: Record<string, string>;
}

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** JSON from a request body, or a 400 that says which body was not JSON. */
export function parseJson(text: string | Buffer, what = 'request body'): unknown {
  try {
    return JSON.parse(text.toString());
  } catch {
    throw new HttpError(400, `${what} is not valid JSON`);
  }
}

export interface HttpHandlerOptions {
  /** Largest accepted body in bytes; larger gets 413 before anything is parsed. */
  maxBodyBytes: number;
}

/**
 * Wraps an HTTP handler: decodes the body once (keeping the raw bytes), enforces the size limit, and turns every
 * thrown error into a JSON response. An `HttpError` keeps its status and message; anything else is a 500 whose
 * details stay in the log, so no stack trace reaches a caller.
 */
export function httpHandler(
  name: string,
  options: HttpHandlerOptions,
  handle: (request: HttpRequest, context: Context) => Promise<HttpResult>,
) {
  const log = logger.child({ function: name });
  return middy<HttpEvent, HttpResult>().handler(async (event, context) => {
    const started = Date.now();
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(event.headers ?? {}))
      if (value !== undefined) headers[key.toLowerCase()] = value;
    try {
      const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      if (rawBody.length > options.maxBodyBytes) {
        throw new HttpError(413, `request body is ${rawBody.length} bytes; the limit is ${options.maxBodyBytes}`);
      }
      const result = await handle({ event, rawBody, headers }, context);
      log.info('request handled', { path: event.rawPath, status: result.statusCode, ms: Date.now() - started });
      return result;
    } catch (error) {
      if (error instanceof HttpError) {
        log.warn('request rejected', { path: event.rawPath, status: error.statusCode, reason: error.message });
        return json(error.statusCode, { error: error.message, ...(error.details ? { details: error.details } : {}) });
      }
      log.error('request failed', { path: event.rawPath, error, requestId: context?.awsRequestId });
      return json(500, { error: 'internal error', requestId: context?.awsRequestId });
    }
  });
}
