import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../infra/local/runtime.js';

/**
 * The shipped routing.yaml with war rooms off: for tests of delivery and paging, which count every message to a chat
 * (war rooms are tested in test/e2e/collaboration.test.ts).
 */
export const routingWithoutWarRooms = () =>
  `${readFileSync(join(projectRoot, 'config', 'routing.yaml'), 'utf8')}\ncollaboration:\n  warRoom:\n    severities: []\n`;

/** The shipped config files in `dir`, with `files` (name → YAML text) written over them; returns `dir`. */
export function configDirWith(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['routing.yaml', 'oncall.yaml', 'automation.yaml', 'inventory.yaml', 'escalation.yaml'])
    copyFileSync(join(projectRoot, 'config', file), join(dir, file));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}
