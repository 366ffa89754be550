import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { HttpRequest, HttpResult } from '../lambda/http.js';
import type { ErrorAnswer } from '../lambda/middlewares/http-errors.js';
import type { RouteInput } from '../lambda/middlewares/validate-input.js';
import { answerDetailLink, type DetailAnswer, type DetailDeps } from './detail.js';
import { noticePage, pageHeaders } from './detail-page.js';

const id = z.string().regex(/^[0-9a-f]{12}$/, 'a 12-character hexadecimal id');
const query = z.object({ exp: z.string().max(20).optional(), sig: z.string().max(100).optional() });

/**
 * The detail pages' routes. API Gateway takes one variable name per path segment across a route's methods, so the
 * alert page's route shares ingest's `{source}` (POST /alerts/{source}): here it holds an alert id.
 */
export const detailRoutes: Record<string, RouteInput> = {
  'GET /incidents/{id}': { what: 'incident link', path: z.object({ id }), query },
  'GET /alerts/{source}': { what: 'alert link', path: z.object({ source: id }), query },
};

/** A page with a CSP nonce of its own, fresh for every response. */
function page(statusCode: number, render: (nonce: string) => string): HttpResult {
  const nonce = randomBytes(16).toString('base64');
  return { statusCode, headers: pageHeaders(nonce), body: render(nonce) };
}

const shape = (answer: DetailAnswer): HttpResult =>
  answer.status === 302
    ? {
        statusCode: 302,
        headers: { location: answer.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
        body: '',
      }
    : page(answer.status, answer.render);

/** Answers a validated request to one of `detailRoutes` (lib/incidents/detail.ts decides what it opens). */
export async function answerDetailRequest(event: HttpRequest, deps: DetailDeps): Promise<HttpResult> {
  const input = event.input as { path: { id?: string; source?: string }; query: z.infer<typeof query> };
  const kind = event.routeKey === 'GET /incidents/{id}' ? 'incidents' : 'alerts';
  return shape(await answerDetailLink({ kind, id: (input.path.id ?? input.path.source)!, ...input.query }, deps));
}

/** An error as a page for the browser that asked: a malformed link, or a failure on our side. */
export const errorPage = ({ statusCode }: ErrorAnswer): HttpResult =>
  page(statusCode, (nonce) =>
    noticePage(
      '无法打开',
      statusCode === 400 ? '链接格式不正确。请从飞书卡片上的「查看详情」打开。' : '页面暂时无法显示，请稍后再试。',
      nonce,
    ),
  );
