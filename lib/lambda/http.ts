import { HttpError } from './errors.js';

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

/** An HTTP event as the middlewares hand it to a handler. */
export interface HttpRequest extends HttpEvent {
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body's bytes as they were sent: signatures are computed over them (`rawBody`). */
  rawBody: Buffer;
  /** The body as JSON (`jsonBody`). */
  jsonBody?: unknown;
  /** The route's input after its zod schemas (`validateInput`). */
  input?: { body?: unknown; query?: unknown; path?: unknown };
}

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** JSON from a body, or a 400 that says which body was empty or not JSON. */
export function parseJson(text: string | Buffer, what = 'request body'): unknown {
  const content = text.toString();
  if (!content.length) throw new HttpError(400, `${what} is empty; expected JSON`);
  try {
    return JSON.parse(content);
  } catch {
    throw new HttpError(400, `${what} is not valid JSON`);
  }
}
