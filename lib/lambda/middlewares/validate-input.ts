import type { MiddlewareObj } from '@middy/core';
import type { ZodType } from 'zod';
import { badRequest } from '../errors.js';
import type { HttpRequest, HttpResult } from '../http.js';

/** What a route takes: zod schemas for its JSON body, query string and path parameters, and a name for the 400. */
export interface RouteInput {
  what: string;
  body?: ZodType;
  query?: ZodType;
  path?: ZodType;
}

/**
 * Validates a request's input against its route's schemas (`input`): the first part that fails is a 400 that names
 * every bad field. Routes not listed take no input.
 */
export function validateInput(routes: Record<string, RouteInput>): MiddlewareObj<HttpRequest, HttpResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const route = routes[event.routeKey ?? ''];
      if (!route) return;
      const check = (schema: ZodType | undefined, value: unknown) => {
        if (!schema) return undefined;
        const result = schema.safeParse(value);
        if (!result.success) throw badRequest(`invalid ${route.what}`, result.error);
        return result.data;
      };
      event.input = {
        body: check(route.body, event.jsonBody),
        query: check(route.query, event.queryStringParameters ?? {}),
        path: check(route.path, event.pathParameters ?? {}),
      };
    },
  };
}
