import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as z from 'zod';

/**
 * Reads one YAML file of `config/` and validates it. Every error names the file, the path inside it and what
 * was expected, so a bad deploy fails at cold start with a message an operator can act on.
 */
export function readConfigFile<S extends z.ZodType>(dir: string, file: string, schema: S): z.infer<S> {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `config ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    throw new Error(`config ${path}: not valid YAML: ${(error as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new Error(`config ${path} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `300`, `300s`, `5m`, `1h30m`, `7d`, `1w` → seconds. */
export function parseDurationSeconds(value: string | number): number {
  if (typeof value === 'number') return value;
  const compact = value.replace(/\s+/g, '');
  if (/^\d+$/.test(compact)) return Number(compact);
  const parts = [...compact.matchAll(/(\d+)([smhdw])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== compact) {
    throw new Error(`"${value}" is not a duration (examples: 300s, 5m, 1h30m, 7d)`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit!]!, 0);
}

/** A duration in config: seconds as a number, or text such as `5m`, `1h30m`, `7d`; always seconds once parsed. */
export const durationSeconds = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  try {
    return parseDurationSeconds(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const feishuOpenId = z.string().regex(/^ou_[A-Za-z0-9_-]+$/, 'a Feishu open_id (ou_…)');
