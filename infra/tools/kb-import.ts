/**
 * npm run kb:import -- <dir> [--url <base url>] [--token local-dev-token]
 *
 * Imports every markdown file under <dir> (front matter: title, tags) into the knowledge base through its API, so the
 * same command fills a local run and a deployed stack. The id is the file's path under <dir> without `.md`
 * (`/` → `-`): importing the folder again updates those articles instead of adding copies. Without --url (or
 * OPENCLAW_URL) it goes to the local runtime where `npm start` listens: PORT, 3000 unless set.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { articleFromMarkdown } from '../../lib/kb/markdown.js';
import { localUrl } from '../local/address.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.OPENCLAW_URL ?? localUrl() },
    token: { type: 'string', default: process.env.OPENCLAW_TOKEN ?? 'local-dev-token' },
  },
});

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return /\.(md|markdown)$/i.test(entry) ? [path] : [];
  });
}

/** `pod/keep-pending.md` → `pod-keep-pending`, within what the API accepts as an id. */
const idFor = (path: string) =>
  path
    .replace(/\.(md|markdown)$/i, '')
    .toLowerCase()
    .replace(/[\\/]+/g, '-')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 128);

/** Why a request got no answer, naming the URL; ECONNREFUSED there is mostly a local runtime that is not running. */
function unreachable(url: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused: is `npm start` running? It listens on PORT (3000 unless set); or pass --url'
      : (cause?.message ?? (error as Error).message);
  return new Error(`cannot reach ${url}: ${why}`);
}

async function main(): Promise<number> {
  const dir = positionals[0];
  if (!dir) {
    console.error('usage: npm run kb:import -- <dir> [--url <base url>] [--token <token>]');
    return 2;
  }
  const files = markdownFiles(dir);
  let created = 0;
  let updated = 0;
  const failed: string[] = [];
  for (const file of files) {
    const id = idFor(relative(dir, file));
    const article = articleFromMarkdown(id, readFileSync(file, 'utf8'), relative(dir, file));
    const url = `${values.url}/kb/articles`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${values.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        title: article.title,
        body: article.body,
        tags: article.tags,
        source: article.source,
      }),
    }).catch((error: unknown) => {
      throw unreachable(url, error);
    });
    const answer = (await response.json().catch(() => ({}))) as {
      created?: boolean;
      sections?: number;
      error?: string;
      details?: unknown;
    };
    if (!response.ok) {
      const details = answer.details ? JSON.stringify(answer.details) : '';
      failed.push(`${file}: HTTP ${response.status} ${answer.error ?? ''} ${details}`.trim());
      continue;
    }
    if (answer.created) created++;
    else updated++;
  }
  const imported = `imported ${files.length - failed.length} of ${files.length} articles from ${dir}`;
  console.log(`${imported} into ${values.url}: ${created} new, ${updated} updated`);
  for (const line of failed) console.log(`  failed: ${line}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`kb:import failed: ${(error as Error).message}`);
    process.exit(2);
  },
);
