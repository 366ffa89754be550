import type { ZodError } from 'zod';

/** An error that knows its HTTP status and carries a message safe to show to the caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Turns zod issues into `[{path, message}]` so a 400 names every bad field. */
export function describeZodError(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

export function badRequest(message: string, error?: ZodError): HttpError {
  return new HttpError(400, message, error ? describeZodError(error) : undefined);
}
