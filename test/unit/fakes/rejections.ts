import { expect } from 'vitest';
import { HttpError } from '../../../lib/lambda/errors.js';

/** Runs a source normaliser that must reject its payload with a 400, and returns the error. */
export function rejected400(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    return error as HttpError;
  }
  throw new Error('expected the payload to be rejected with a 400');
}

/** The field paths a 400 names. */
export const paths = (error: HttpError) => (error.details as { path: string }[]).map((detail) => detail.path);
