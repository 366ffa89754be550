import * as z from 'zod';
import { HttpError } from '../lambda/errors.js';
import type { HttpRequest } from '../lambda/http.js';
import type { Metrics } from '../lambda/metrics.js';
import type { RouteInput } from '../lambda/middlewares/validate-input.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { runbookActionsSchema } from './markdown.js';

const articleSchema = z.strictObject({
  /** Stable id; the same id again replaces the article. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'lower-case letters, digits, . _ - (up to 128)'),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(200_000, 'at most 200,000 characters of markdown'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  source: z.string().max(2000).optional(),
  /** Safe actions the runbook suggests, as in a file's front matter (`actions:`). */
  actions: runbookActionsSchema.optional(),
});

const searchSchema = z.object({
  q: z.string().trim().min(1, 'q (the question or words to search) is required').max(500),
  size: z.coerce.number().int().min(1).max(20).default(5),
});

const articlePath = z.object({ id: z.string().optional() });

/** The knowledge base's routes and what each takes (validated before the handler runs; a 400 names the fields). */
export const kbRoutes: Record<string, RouteInput> = {
  'POST /kb/articles': { what: 'article', body: articleSchema },
  'GET /kb/search': { what: 'search', query: searchSchema },
  'GET /kb/articles/{id}': { what: 'article id', path: articlePath },
};

/**
 * The knowledge base's HTTP API: `POST /kb/articles` creates (201) or replaces (200) an article by id,
 * `GET /kb/search?q=&size=` finds sections (counted as KbSearches, with or without hits), `GET /kb/articles/{id}`
 * reads one article (404 when there is none).
 */
export async function answerKbRequest(
  route: string | undefined,
  input: HttpRequest['input'],
  kb: KnowledgeBase,
  metrics?: Metrics,
): Promise<{ statusCode: number; body: unknown }> {
  if (route === 'POST /kb/articles') {
    const article = input?.body as z.infer<typeof articleSchema>;
    const existed = Boolean(await kb.get(article.id));
    const { sections } = await kb.upsert({ ...article, source: article.source ?? `kb:${article.id}` });
    return { statusCode: existed ? 200 : 201, body: { id: article.id, sections, created: !existed } };
  }
  if (route === 'GET /kb/search') {
    const { q, size } = input?.query as z.infer<typeof searchSchema>;
    const hits = await kb.search(q, size);
    metrics?.add('KbSearches', { Result: hits.length ? 'hits' : 'none' });
    return { statusCode: 200, body: { query: q, hits } };
  }
  if (route === 'GET /kb/articles/{id}') {
    const { id } = input?.path as z.infer<typeof articlePath>;
    const article = id ? await kb.get(id) : undefined;
    if (!article) throw new HttpError(404, `no article ${id ?? ''}`.trim());
    return { statusCode: 200, body: article };
  }
  throw new HttpError(404, `no route ${route ?? ''}`.trim());
}
