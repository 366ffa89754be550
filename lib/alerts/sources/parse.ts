import type { z } from 'zod';
import { badRequest } from '../../lambda/errors.js';

/** Validates a source payload; a failure is a 400 that names every bad field. */
export function parsePayload<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(`invalid ${what} payload`, result.error);
  return result.data;
}
