import * as z from 'zod';

/** A bad or missing argument: the reply is the problem and the usage line, never a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Validates `args` against a zod tuple; the first problem becomes the reply, with the usage line. */
export function parseArgs<T extends z.ZodType>(schema: T, args: string[], usage: string): z.infer<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const tooFew = issue.code === 'too_small' && issue.path.length === 0;
  const tooMany = issue.code === 'too_big' && issue.path.length === 0;
  throw new UsageError(tooFew ? '缺少参数' : tooMany ? '参数过多' : issue.message, usage);
}

/** A command's one optional argument (a service, a team). */
export const optionalArg = (schema: z.ZodType<string>, args: string[], usage: string) =>
  (parseArgs(z.tuple([schema]).or(z.tuple([])), args, usage) as [string?])[0];
