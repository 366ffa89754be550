import middy from '@middy/core';
import { answerKbRequest, kbRoutes } from '../lib/kb/api.js';
import { json, type HttpRequest, type HttpResult } from '../lib/lambda/http.js';
import { bearerAuth } from '../lib/lambda/middlewares/bearer-auth.js';
import { httpErrors } from '../lib/lambda/middlewares/http-errors.js';
import { jsonBody } from '../lib/lambda/middlewares/json-body.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { rawBody } from '../lib/lambda/middlewares/raw-body.js';
import { validateInput } from '../lib/lambda/middlewares/validate-input.js';
import { apiTokens, metrics } from '../lib/root/adapters.js';
import { configuredKnowledgeBase } from '../lib/root/knowledge.js';

/** The knowledge base's HTTP API (articles and search), behind the same bearer tokens as the alert sources. */
export const handler = middy<HttpRequest, HttpResult>()
  .use(logContext('kb'))
  .use(publishMetrics('kb', metrics()))
  .use(httpErrors())
  .use(rawBody({ maxBytes: 1024 * 1024 }))
  .use(bearerAuth(apiTokens))
  .use(jsonBody())
  .use(validateInput(kbRoutes))
  .handler(async (event) => {
    const result = await answerKbRequest(event.routeKey, event.input, await configuredKnowledgeBase(), metrics());
    return json(result.statusCode, result.body);
  });
