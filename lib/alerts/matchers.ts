/**
 * Label matchers with Alertmanager's operators: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
 * Regexes are anchored, as in Alertmanager. Values may be quoted.
 */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  test(labels: Record<string, string>): boolean;
}

const matcherPattern = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function parseMatcher(text: string): LabelMatcher {
  const match = matcherPattern.exec(text);
  if (!match)
    throw new Error(`"${text}" is not a label matcher (expected name=value, name!=value, name=~regex or name!~regex)`);
  const [, name, op, raw] = match as unknown as [string, string, LabelMatcher['op'], string];
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  let regex: RegExp | undefined;
  if (op === '=~' || op === '!~') {
    try {
      regex = new RegExp(`^(?:${value})$`);
    } catch (error) {
      throw new Error(`"${text}": invalid regular expression (${(error as Error).message})`);
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
        return regex!.test(actual);
      case '!~':
        return !regex!.test(actual);
    }
  };
  return { name, op, value, test };
}

export const matchesAll = (matchers: LabelMatcher[], labels: Record<string, string>) =>
  matchers.every((m) => m.test(labels));
