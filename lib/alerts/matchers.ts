import { RE2JS } from 're2js';

/**
 * Label matchers with Alertmanager's operators: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
 * Regexes are anchored and use RE2's syntax, as in Alertmanager, on a linear-time engine: a silence typed in chat
 * such as `alertname=~"(.*.*)*z"` takes microseconds on any label, where a backtracking JavaScript RegExp would
 * stall the function for seconds. Values may be quoted.
 */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  test(labels: Record<string, string>): boolean;
}

const matcherPattern = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** A regex that RE2 does not accept (lookarounds and backreferences among others). */
export class MatcherSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatcherSyntaxError';
  }
}

export function parseMatcher(text: string): LabelMatcher {
  const match = matcherPattern.exec(text);
  if (!match)
    throw new Error(`"${text}" is not a label matcher (expected name=value, name!=value, name=~regex or name!~regex)`);
  const [, name, op, raw] = match as unknown as [string, string, LabelMatcher['op'], string];
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  let regex: RE2JS | undefined;
  if (op === '=~' || op === '!~') {
    try {
      regex = RE2JS.compile(value);
    } catch (error) {
      throw new MatcherSyntaxError(`"${text}": invalid regular expression (RE2: ${(error as Error).message})`);
    }
  }
  const test = (labels: Record<string, string>) => {
    const actual = labels[name] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return regex!.matches(actual);
      case '!~':
        return !regex!.matches(actual);
    }
  };
  return { name, op, value, test };
}

export const matchesAll = (matchers: LabelMatcher[], labels: Record<string, string>) =>
  matchers.every((m) => m.test(labels));
