import type { MiddlewareObj } from '@middy/core';
import { HttpError } from '../errors.js';
import type { HttpEvent, HttpRequest, HttpResult } from '../http.js';

/**
 * Decodes the body once into the bytes that were sent (`rawBody`, for signatures computed over them) and lower-cases
 * header names. A body over `maxBytes` is a 413 before anything reads it.
 */
export function rawBody(options: { maxBytes: number }): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(event.headers ?? {})) {
        if (value !== undefined) headers[key.toLowerCase()] = value;
      }
      const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      if (body.length > options.maxBytes) {
        const bytes = (n: number) => n.toLocaleString('en-US');
        throw new HttpError(
          413,
          `request body is ${bytes(body.length)} bytes; the limit is ${bytes(options.maxBytes)}`,
        );
      }
      const opened: HttpRequest = { ...event, headers, rawBody: body };
      request.event = opened;
    },
  };
}
