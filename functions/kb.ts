import { getArticle, putArticle, searchArticles } from '../lib/kb/api.js';
import { configuredKnowledgeBase } from '../lib/root/knowledge.js';
import type { KnowledgeBase } from '../lib/kb/knowledge-base.js';
import { requireToken } from '../lib/lambda/auth.js';
import { HttpError } from '../lib/lambda/errors.js';
import { httpHandler, json, parseJson } from '../lib/lambda/http.js';
import { env, listOf } from '../lib/root/env.js';
import { defaultSecrets } from '../lib/root/secrets.js';

const config = env();
const secrets = defaultSecrets(config.SECRETS_ID);

let kb: Promise<KnowledgeBase | undefined> | undefined;
async function knowledgeBase(): Promise<KnowledgeBase> {
  const configured = await (kb ??= secrets().then((values) => configuredKnowledgeBase(config, values.LLM_API_KEY)));
  if (!configured)
    throw new HttpError(503, 'the knowledge base has no backend configured (OPENSEARCH_URL in AWS; KB_FILE locally)');
  return configured;
}

/** The knowledge base's HTTP API; the same bearer tokens as the alert sources. */
export const handler = httpHandler('kb', { maxBodyBytes: 1024 * 1024 }, async ({ event, headers, rawBody }) => {
  requireToken(headers, listOf((await secrets()).ALERT_TOKEN));
  const route = event.routeKey ?? '';
  if (route === 'POST /kb/articles') {
    const result = await putArticle(parseJson(rawBody), await knowledgeBase());
    return json(result.statusCode, result.body);
  }
  if (route === 'GET /kb/search')
    return json(200, await searchArticles(event.queryStringParameters ?? {}, await knowledgeBase()));
  if (route === 'GET /kb/articles/{id}')
    return json(200, await getArticle(event.pathParameters?.id, await knowledgeBase()));
  throw new HttpError(404, `no route ${route}`);
});
