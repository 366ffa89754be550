import type { MiddlewareObj } from '@middy/core';
import { requireToken } from '../auth.js';
import type { HttpRequest, HttpResult } from '../http.js';

/**
 * The API's bearer-token check: `Authorization: Bearer <token>` (or basic auth whose password is the token) must
 * be one of `tokens()`, or the request is a 401 before anything else happens.
 */
export function bearerAuth(tokens: () => Promise<string[]>): MiddlewareObj<HttpRequest, HttpResult> {
  return {
    before: async (request) => requireToken(request.event.headers, await tokens()),
  };
}
