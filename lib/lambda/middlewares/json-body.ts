import type { MiddlewareObj } from '@middy/core';
import { parseJson, type HttpRequest, type HttpResult } from '../http.js';

const withBody = new Set(['POST', 'PUT', 'PATCH']);

/** Parses the body of POST, PUT and PATCH requests as JSON (`jsonBody`); an empty or broken body is a 400. */
export function jsonBody(): MiddlewareObj<HttpRequest, HttpResult> {
  return {
    before: async (request) => {
      const method = request.event.requestContext?.http?.method ?? request.event.routeKey?.split(' ')[0];
      if (method && withBody.has(method)) request.event.jsonBody = parseJson(request.event.rawBody);
    },
  };
}
