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

/** A key this long is shown by its start in a path: the caller knows which one. */
const SHOWN_KEY_CHARS = 64;

/** A field's path as people write it, `alerts[3].labels.instance`; `(body)` for the body itself. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(body)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      const shown = name.length > SHOWN_KEY_CHARS ? `${name.slice(0, SHOWN_KEY_CHARS)}…` : name;
      return index ? `.${shown}` : shown;
    })
    .join('');
}

/** Turns zod issues into `[{path, message}]` so a 400 names every bad field (a bad record key by its own problem). */
export function describeZodError(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: fieldPath(issue.path),
    message: issue.code === 'invalid_key' ? `name ${issue.issues[0]?.message ?? 'is not valid'}` : issue.message,
  }));
}

/** A 400 whose message names the first bad field; `details` lists them all. */
export function badRequest(message: string, error?: ZodError): HttpError {
  if (!error) return new HttpError(400, message);
  const details = describeZodError(error);
  const [first] = details;
  const more = details.length > 1 ? ` (and ${details.length - 1} more in details)` : '';
  return new HttpError(400, first ? `${message}: ${first.path}: ${first.message}${more}` : message, details);
}
