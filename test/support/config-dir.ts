import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../infra/local/runtime.js';

/** The shipped config files in `dir`, with `files` (name → YAML text) written over them; returns `dir`. */
export function configDirWith(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['routing.yaml', 'oncall.yaml', 'automation.yaml', 'inventory.yaml', 'escalation.yaml'])
    copyFileSync(join(projectRoot, 'config', file), join(dir, file));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}
