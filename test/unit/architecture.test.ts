import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/local/runtime.js';

/**
 * The layering rule of the README's Architecture section: a folder of lib/ imports only from its own layer or the
 * ones below it; functions/ imports lib/; nothing in lib/ imports functions/ or infra/.
 */
const layers: Record<string, number> = {
  lambda: 0,
  feishu: 1,
  // Alerts and incidents are one layer: the alert path runs through both (no import circle, all the same).
  alerts: 2,
  incidents: 2,
  kb: 3,
  automation: 4,
  chatops: 5,
  store: 6,
  root: 7,
};

function sources(dir: string): string[] {
  return readdirSync(join(projectRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(projectRoot, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file (type imports too), as paths from the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(projectRoot, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    relative(projectRoot, resolve(join(projectRoot, dirname(file)), match[1]!.replace(/\.js$/, '.ts'))),
  );
}

const layerOf = (file: string) => layers[file.split('/')[1]!] ?? -1;

describe('architecture', () => {
  const lib = sources('lib');

  it('every folder of lib/ is a known layer', () => {
    expect(lib.filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('no import in lib/ runs from a lower layer up to a higher one, or out to functions/ or infra/', () => {
    const upward = lib.flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith('lib/') || layerOf(target) > layerOf(file))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('lib/ has no import circle, type imports included', () => {
    const graph = new Map(lib.map((file) => [file, importsOf(file)]));
    const circles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of lib) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('handlers are thin: at most 45 lines, importing only lib/ and middy', () => {
    const handlers = sources('functions');
    const long = handlers.filter(
      (file) => readFileSync(join(projectRoot, file), 'utf8').trimEnd().split('\n').length > 45,
    );
    expect(long).toEqual([]);
    const outside = handlers.flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith('lib/'))
        .map((target) => `${file} → ${target}`),
    );
    expect(outside).toEqual([]);
  });
});
