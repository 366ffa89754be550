import middy from '@middy/core';
import { answerDetailRequest, detailRoutes, errorPage } from '../lib/incidents/detail-api.js';
import type { HttpRequest, HttpResult } from '../lib/lambda/http.js';
import { httpErrors } from '../lib/lambda/middlewares/http-errors.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { validateInput } from '../lib/lambda/middlewares/validate-input.js';
import { metrics } from '../lib/root/adapters.js';
import { incidentPage } from '../lib/root/incident-page.js';

const deps = incidentPage();

/**
 * The detail pages behind the cards' 查看详情: an incident's, or an alert's (which leads to its incident), opened by
 * a signed, expiring link (lib/incidents/detail.ts). Errors are pages too, for the browser that asked.
 */
export const handler = middy<HttpRequest, HttpResult>()
  .use(logContext('incident-page'))
  .use(publishMetrics('incident-page', metrics()))
  .use(httpErrors(errorPage))
  .use(validateInput(detailRoutes))
  .handler(async (event) => answerDetailRequest(event, await deps()));
