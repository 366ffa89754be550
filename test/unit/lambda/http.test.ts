import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { HttpError } from '../../../lib/lambda/errors.js';
import { json, parseJson, type HttpEvent, type HttpRequest, type HttpResult } from '../../../lib/lambda/http.js';
import { bearerAuth } from '../../../lib/lambda/middlewares/bearer-auth.js';
import { httpErrors } from '../../../lib/lambda/middlewares/http-errors.js';
import { jsonBody } from '../../../lib/lambda/middlewares/json-body.js';
import { logContext } from '../../../lib/lambda/middlewares/log-context.js';
import { rawBody } from '../../../lib/lambda/middlewares/raw-body.js';
import { validateInput } from '../../../lib/lambda/middlewares/validate-input.js';
import { recordingLogger } from '../fakes/logger.js';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const event = (fields: Partial<HttpEvent> & { method?: string } = {}): HttpEvent => {
  const { method = 'POST', ...rest } = fields;
  return {
    rawPath: '/things',
    routeKey: `${method} /things`,
    headers: {},
    requestContext: { http: { method } },
    ...rest,
  };
};

/** A handler with the HTTP middlewares, in the order the functions use them; it answers with what it was given. */
function handlerWith(
  handle: (request: HttpRequest) => Promise<HttpResult> = async (request) =>
    json(200, { body: request.jsonBody, input: request.input, headers: request.headers }),
) {
  const lines = recordingLogger().lines;
  const handler = middy<HttpRequest, HttpResult>()
    .use(logContext('test', recordingLogger(lines)))
    .use(httpErrors())
    .use(rawBody({ maxBytes: 64 }))
    .use(bearerAuth(async () => ['s3cret']))
    .use(jsonBody())
    .use(
      validateInput({
        'POST /things': { what: 'thing', body: z.strictObject({ name: z.string().min(1), size: z.number().int() }) },
        'GET /things': { what: 'search', query: z.object({ q: z.string().min(1) }) },
      }),
    )
    .handler(handle);
  const call = async (input: HttpEvent) => {
    const result = (await handler(input as HttpRequest, context)) as HttpResult;
    return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  };
  return { call, lines };
}

const authorised = { authorization: 'Bearer s3cret' };

describe('HTTP middlewares', () => {
  it('hand the handler the JSON body, validated, and lower-cased headers', async () => {
    const { call } = handlerWith();
    const answer = await call(event({ headers: { Authorization: 'Bearer s3cret' }, body: '{"name":"a","size":2}' }));
    expect(answer).toEqual({
      status: 200,
      body: {
        body: { name: 'a', size: 2 },
        input: { body: { name: 'a', size: 2 } },
        headers: { authorization: 'Bearer s3cret' },
      },
    });
  });

  it('decode a base64 body to the bytes that were sent', async () => {
    let seen: Buffer | undefined;
    const { call } = handlerWith(async (request) => ((seen = request.rawBody), json(200, {})));
    const bytes = Buffer.from('{"name":"ü","size":1}');
    await call(event({ headers: authorised, body: bytes.toString('base64'), isBase64Encoded: true }));
    expect(seen).toEqual(bytes);
  });

  it('refuse a body over the limit with 413 before reading it', async () => {
    const { call } = handlerWith();
    expect(await call(event({ headers: authorised, body: 'x'.repeat(65) }))).toEqual({
      status: 413,
      body: { error: 'request body is 65 bytes; the limit is 64' },
    });
  });

  it('refuse a request without the token, or with a wrong one, with 401 before the body is parsed', async () => {
    const { call } = handlerWith();
    expect(await call(event({ body: 'not json' }))).toEqual({
      status: 401,
      body: { error: 'missing credentials: send Authorization: Bearer <token>' },
    });
    const wrong = await call(event({ headers: { authorization: 'Bearer guess' }, body: 'not json' }));
    expect(wrong).toEqual({ status: 401, body: { error: 'invalid token' } });
  });

  it('answer a body that is empty or not JSON with 400 saying so', async () => {
    const { call } = handlerWith();
    expect(await call(event({ headers: authorised }))).toEqual({
      status: 400,
      body: { error: 'request body is empty; expected JSON' },
    });
    expect(await call(event({ headers: authorised, body: '{"name":' }))).toEqual({
      status: 400,
      body: { error: 'request body is not valid JSON' },
    });
  });

  it('answer input that fails its route schema with 400 naming every bad field', async () => {
    const { call } = handlerWith();
    expect(await call(event({ headers: authorised, body: '{"size":1.5,"extra":1}' }))).toEqual({
      status: 400,
      body: {
        error: 'invalid thing: name: Invalid input: expected string, received undefined (and 2 more in details)',
        details: [
          { path: 'name', message: 'Invalid input: expected string, received undefined' },
          { path: 'size', message: 'Invalid input: expected int, received number' },
          { path: '(body)', message: 'Unrecognized key: "extra"' },
        ],
      },
    });
    const search = await call(event({ method: 'GET', headers: authorised, queryStringParameters: { q: '' } }));
    expect(search.status).toBe(400);
    expect(search.body.details).toEqual([{ path: 'q', message: 'Too small: expected string to have >=1 characters' }]);
  });

  it('do not parse a GET body, and leave routes without schemas alone', async () => {
    const { call } = handlerWith();
    const answer = await call(event({ method: 'GET', headers: authorised, queryStringParameters: { q: 'disk' } }));
    expect(answer.body).toMatchObject({ input: { query: { q: 'disk' } } });
    expect(answer.body.body).toBeUndefined();
  });

  it('turn an HttpError into its status and message, and anything else into a 500 with only the request id', async () => {
    const teapot = handlerWith(async () => {
      throw new HttpError(418, 'short and stout', [{ path: 'spout', message: 'here' }]);
    });
    expect(await teapot.call(event({ headers: authorised, body: '{"name":"a","size":1}' }))).toEqual({
      status: 418,
      body: { error: 'short and stout', details: [{ path: 'spout', message: 'here' }] },
    });
    const broken = handlerWith(async () => {
      throw new Error('secret detail at /var/task/index.js:12');
    });
    const answer = await broken.call(event({ headers: authorised, body: '{"name":"a","size":1}' }));
    expect(answer).toEqual({ status: 500, body: { error: 'internal error', requestId: 'req-1' } });
  });

  it('log one line per request: handled, rejected with its reason, or failed with the error', async () => {
    const { call, lines } = handlerWith();
    await call(event({ headers: authorised, body: '{"name":"a","size":1}' }));
    await call(event({ body: '{}' }));
    expect(lines.map((line) => [line.level, line.message, line.fields?.status, line.fields?.path])).toEqual([
      ['info', 'invocation done', 200, '/things'],
      ['warn', 'request rejected', 401, '/things'],
    ]);
    expect(lines[1]!.fields).toMatchObject({
      requestId: 'req-1',
      reason: 'missing credentials: send Authorization: Bearer <token>',
    });
    const failing = handlerWith(async () => {
      throw new Error('boom');
    });
    await failing.call(event({ headers: authorised, body: '{"name":"a","size":1}' }));
    expect(failing.lines.map((line) => [line.level, line.message, line.fields?.status])).toEqual([
      ['error', 'invocation failed', 500],
    ]);
  });

  it('parseJson names the body that was wrong', () => {
    expect(() => parseJson('', 'decrypted body')).toThrow('decrypted body is empty; expected JSON');
    expect(() => parseJson('{', 'decrypted body')).toThrow('decrypted body is not valid JSON');
    expect(parseJson(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
  });
});
