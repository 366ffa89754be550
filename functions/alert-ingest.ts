import middy from '@middy/core';
import { ingest } from '../lib/alerts/ingest.js';
import { json, type HttpRequest, type HttpResult } from '../lib/lambda/http.js';
import { httpErrors } from '../lib/lambda/middlewares/http-errors.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { rawBody } from '../lib/lambda/middlewares/raw-body.js';
import { metrics } from '../lib/root/adapters.js';
import { alertIngest } from '../lib/root/alert-ingest.js';

const deps = alertIngest();

/**
 * `POST /alerts/{source}`: the ingest path of lib/alerts/ingest.ts (authenticate → parse → normalise → fingerprint
 * → queue). Each source authenticates its own way (a bearer token, or SNS's signature), so that is not a middleware.
 */
export const handler = middy<HttpRequest, HttpResult>()
  .use(logContext('alert-ingest'))
  .use(publishMetrics('alert-ingest', metrics()))
  .use(httpErrors())
  .use(rawBody({ maxBytes: 1024 * 1024 }))
  .handler(async (event) => {
    const result = await ingest(event.pathParameters?.source, event, deps);
    return json(result.statusCode, result.body);
  });
