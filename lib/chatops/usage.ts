import * as z from 'zod';
import { chineseIssues } from '../lambda/chinese-issues.js';

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

/** The names of a usage line's arguments, in order: `/oncall override @某人 <时长或到某时> [团队]` → 某人, 时长或到某时, 团队. */
const argumentNames = (usage: string) =>
  usage
    .split(/\s+/)
    .filter((word) => /^(<.+>|\[.+\]|@.+)$/.test(word))
    .map((word) => word.replace(/^[<[@]|[>\]]$/g, ''));

/**
 * Validates `args` against a zod tuple; the first problem becomes the reply, in Chinese and naming the argument as
 * the usage line does (`镜像：最长 512 个字符`), with the usage line.
 */
export function parseArgs<T extends z.ZodType>(schema: T, args: string[], usage: string): z.infer<T> {
  const names = argumentNames(usage);
  const named = chineseIssues((path) => (typeof path[0] === 'number' ? names[path[0]] : undefined));
  const result = schema.safeParse(args, { error: named });
  if (result.success) return result.data;
  throw new UsageError(result.error.issues[0]!.message, usage);
}

/** A command's one optional argument (a service, a team). */
export const optionalArg = (schema: z.ZodType<string>, args: string[], usage: string) =>
  (parseArgs(z.tuple([schema]).or(z.tuple([])), args, usage) as [string?])[0];
