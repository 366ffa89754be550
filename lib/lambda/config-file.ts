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
