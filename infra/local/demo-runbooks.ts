import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { embeddedKnowledgeBase } from '../../lib/kb/embedded.js';
import { articleFromMarkdown } from '../../lib/kb/markdown.js';

const DEMO_DIR = fileURLToPath(new URL('./demo-runbooks', import.meta.url));

/** A knowledge base that does not exist yet starts with the runbooks this project ships (Chinese and English). */
export async function seedDemoRunbooks(file: string): Promise<void> {
  if (existsSync(file)) return;
  const kb = embeddedKnowledgeBase({ file });
  for (const name of readdirSync(DEMO_DIR)
    .filter((entry) => entry.endsWith('.md'))
    .sort()) {
    await kb.upsert(
      articleFromMarkdown(
        name.replace(/\.md$/, ''),
        readFileSync(join(DEMO_DIR, name), 'utf8'),
        `demo-runbooks/${name}`,
      ),
    );
  }
}
