import type { ZodError } from 'zod';

/**
 * A failure the product expects and explains: a refusal, a missing setting, a target that cannot be reached. People are
 * told `userMessage` (Chinese, short); the log gets `message` (English, with the detail). It is logged as one line
 * without a stack, at warn or below: stacks are for the failures nobody foresaw.
 */
export class ExpectedError extends Error {
  constructor(
    readonly userMessage: string,
    logMessage: string,
    options?: ErrorOptions,
  ) {
    super(logMessage, options);
    this.name = 'ExpectedError';
  }
}

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
