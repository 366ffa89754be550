import * as z from 'zod';
import { badRequest, HttpError } from '../lambda/errors.js';
import type { KnowledgeBase } from './knowledge-base.js';

const articleSchema = z.strictObject({
  /** Stable id; the same id again replaces the article. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'lower-case letters, digits, . _ - (up to 128)'),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(200_000, 'at most 200,000 characters of markdown'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  source: z.string().max(2000).optional(),
});

const searchSchema = z.object({
  q: z.string().trim().min(1, 'q (the question or words to search) is required').max(500),
  size: z.coerce.number().int().min(1).max(20).default(5),
});

/** `POST /kb/articles`: create or replace an article by id. */
export async function putArticle(body: unknown, kb: KnowledgeBase) {
  const parsed = articleSchema.safeParse(body);
  if (!parsed.success) throw badRequest('invalid article', parsed.error);
  const existed = Boolean(await kb.get(parsed.data.id));
  const { sections } = await kb.upsert({ ...parsed.data, source: parsed.data.source ?? `kb:${parsed.data.id}` });
  return { statusCode: existed ? 200 : 201, body: { id: parsed.data.id, sections, created: !existed } };
}

/** `GET /kb/search?q=&size=`. */
export async function searchArticles(query: Record<string, string | undefined>, kb: KnowledgeBase) {
  const parsed = searchSchema.safeParse(query);
  if (!parsed.success) throw badRequest('invalid search', parsed.error);
  return { query: parsed.data.q, hits: await kb.search(parsed.data.q, parsed.data.size) };
}

/** `GET /kb/articles/{id}`. */
export async function getArticle(id: string | undefined, kb: KnowledgeBase) {
  const article = id ? await kb.get(id) : undefined;
  if (!article) throw new HttpError(404, `no article ${id ?? ''}`.trim());
  return article;
}
