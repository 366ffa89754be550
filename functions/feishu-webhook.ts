import middy from '@middy/core';
import { answerFeishuDelivery } from '../lib/chatops/webhook.js';
import { json, type HttpRequest, type HttpResult } from '../lib/lambda/http.js';
import { httpErrors } from '../lib/lambda/middlewares/http-errors.js';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { rawBody } from '../lib/lambda/middlewares/raw-body.js';
import { metrics } from '../lib/root/adapters.js';
import { feishuWebhook } from '../lib/root/feishu-webhook.js';

const deps = feishuWebhook();

/**
 * Feishu's events and card callbacks (lib/chatops/webhook.ts). Feishu authenticates with a signature over the raw
 * bytes and an encrypted body, which lib/feishu/webhook.ts checks, so neither the bearer nor the JSON middleware.
 */
export const handler = middy<HttpRequest, HttpResult>()
  .use(logContext('feishu-webhook'))
  .use(publishMetrics('feishu-webhook', metrics()))
  .use(httpErrors())
  .use(rawBody({ maxBytes: 512 * 1024 }))
  .handler(async (event) => json(200, await answerFeishuDelivery(event, deps)));
