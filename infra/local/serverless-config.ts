import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';

/** CloudFormation short-form tags, kept as their long-form objects (`!Ref X` → `{Ref: 'X'}`). */
const cfnTags: (ScalarTag | CollectionTag)[] = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'ImportValue',
  'GetAZs',
  'Base64',
  'Condition',
].flatMap((name): (ScalarTag | CollectionTag)[] => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return [
    { tag: `!${name}`, resolve: (value: string) => wrap(value) } as ScalarTag,
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()),
    } as unknown as CollectionTag,
    {
      tag: `!${name}`,
      collection: 'map',
      resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()),
    } as unknown as CollectionTag,
  ];
});

export const readYaml = (path: string): unknown =>
  parse(readFileSync(path, 'utf8'), { customTags: cfnTags, merge: true });

/** Splits `a, 'b, c', d` at top-level commas. */
function alternatives(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** `${file(x.yml)}` is the parsed YAML; `${file(x.cjs)}` is what the module exports (called, if a function). */
function readFileVariable(path: string): unknown {
  if (extname(path) === '.js' || extname(path) === '.cjs') {
    const exported = createRequire(import.meta.url)(path) as unknown;
    return typeof exported === 'function' ? (exported as () => unknown)() : exported;
  }
  return readYaml(path);
}

export interface ResolveOptions {
  stage: string;
  region: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Resolves the Serverless Framework variables this project uses (`self:`, `sls:stage`, `opt:`, `env:`, `file()`,
 * quoted defaults) the way the framework does, so the local runtime reads `serverless.yml` itself rather than a copy.
 */
export function loadServerlessConfig(path: string, options: ResolveOptions): Record<string, any> {
  const base = dirname(path);
  const raw = readYaml(path) as Record<string, unknown>;

  const resolveOne = (expression: string, depth: number): unknown => {
    for (const alternative of alternatives(expression)) {
      let value: unknown;
      const quoted = /^(['"])(.*)\1$/.exec(alternative);
      const file = /^file\((.+)\)$/.exec(alternative);
      if (quoted) value = quoted[2];
      else if (file) value = resolve(readFileVariable(join(base, file[1]!.trim())), depth + 1);
      else if (alternative === 'sls:stage' || alternative === 'opt:stage') value = options.stage;
      else if (alternative === 'opt:region') value = options.region;
      else if (alternative.startsWith('opt:')) value = undefined;
      else if (alternative.startsWith('env:')) value = options.env[alternative.slice(4)];
      else if (alternative.startsWith('self:')) value = lookup(alternative.slice(5), depth + 1);
      else if (/^-?\d+(\.\d+)?$/.test(alternative)) value = Number(alternative);
      else throw new Error(`serverless.yml: unsupported variable \${${expression}}`);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };

  /** `self:a.b.c`, resolving each step on the way (a step may itself be a variable, like `${file(...)}`). */
  const lookup = (address: string, depth: number): unknown =>
    resolve(
      address.split('.').reduce<unknown>((node, key) => {
        const container = typeof node === 'string' ? resolve(node, depth) : node;
        return container && typeof container === 'object' ? (container as Record<string, unknown>)[key] : undefined;
      }, raw),
      depth,
    );

  const resolve = (node: unknown, depth = 0): unknown => {
    if (depth > 20) throw new Error('serverless.yml: variables nest too deeply (a cycle?)');
    if (typeof node === 'string') {
      const whole = /^\$\{([^{}]+)\}$/.exec(node);
      if (whole) return resolveOne(whole[1]!, depth);
      // CloudFormation's own ${AWS::Region}-style references are left for CloudFormation.
      return node.replace(/\$\{([^{}]+)\}/g, (text, expression: string) =>
        expression.startsWith('AWS::') || !expression.includes(':')
          ? text
          : String(resolveOne(expression, depth) ?? ''),
      );
    }
    if (Array.isArray(node)) return node.map((item) => resolve(item, depth));
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(value, depth)]));
    return node;
  };

  return resolve(raw) as Record<string, any>;
}

/** `resources:` may be one object or a list of them (files); either way, one merged `Resources` map. */
export function cloudFormationResources(
  config: Record<string, any>,
): Record<string, { Type: string; Properties: Record<string, any> }> {
  const blocks = Array.isArray(config.resources) ? config.resources : [config.resources ?? {}];
  return Object.assign({}, ...blocks.map((block: Record<string, any>) => block.Resources ?? {}));
}
