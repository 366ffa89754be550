/**
 * npm run bench:kb — search quality and speed of the embedded knowledge base on ../shared/kb-samples/zh.
 *
 * Quality: hit@1, hit@5 and MRR@10 of the article that answers each query in ./kb-queries.ts (articles ranked by
 * their best section). Speed: search latency p50/p95 over an index grown to at least 1,000 sections. The same figures
 * for plain minisearch with its default tokeniser are the baseline. Figures, not assertions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { projectRoot } from '../../infra/local/runtime.js';
import { embeddedKnowledgeBase, FIELD_BOOST } from '../../lib/kb/embedded.js';
import { articleFromMarkdown, sectionsOf, type Article } from '../../lib/kb/markdown.js';
import { demoQueries, kbQueries } from './kb-queries.js';

const samples = join(projectRoot, '..', 'shared', 'kb-samples', 'zh');
const articles: Article[] = readdirSync(samples)
  .filter((file) => file.endsWith('.md'))
  .map((file) =>
    articleFromMarkdown(file.replace(/\.md$/, ''), readFileSync(join(samples, file), 'utf8'), `kb-samples/zh/${file}`),
  );

type Search = (query: string) => Promise<string[]> | string[];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const distinct = (ids: string[]) => [...new Set(ids)];

async function quality(search: Search, queries: { query: string; article: string }[] = kbQueries) {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  const misses: string[] = [];
  for (const { query, article } of queries) {
    const ranked = distinct(await search(query));
    const rank = ranked.slice(0, 10).indexOf(article) + 1;
    if (rank === 1) hit1++;
    else misses.push(`  ${query} → ${ranked[0] ?? '(nothing)'} (wanted ${article}${rank ? `, at ${rank}` : ''})`);
    if (rank && rank <= 5) hit5++;
    if (rank) mrr += 1 / rank;
  }
  const n = queries.length;
  return { hit1: hit1 / n, hit5: hit5 / n, mrr: mrr / n, misses };
}

async function latency(search: Search, rounds = 20) {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const { query } of kbQueries) {
      const started = performance.now();
      await search(query);
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Copies of the corpus under new ids until the index holds at least `sections` sections. */
function grown(sections: number): Article[] {
  const perCopy = articles.reduce((total, article) => total + sectionsOf(article).length, 0);
  const copies = Math.ceil(sections / perCopy);
  return Array.from({ length: copies }, (_, copy) =>
    articles.map((article) => ({ ...article, id: copy ? `${article.id}~${copy}` : article.id })),
  ).flat();
}

async function embedded(corpus: Article[]) {
  const kb = embeddedKnowledgeBase();
  for (const article of corpus) await kb.upsert(article);
  return async (query: string) => (await kb.search(query, 50)).map((hit) => hit.articleId.replace(/~\d+$/, ''));
}

function baseline(corpus: Article[]) {
  const index = new MiniSearch({ fields: ['title', 'section', 'text'], storeFields: ['articleId'] });
  index.addAll(corpus.flatMap(sectionsOf));
  return (query: string) =>
    index
      .search(query, { boost: FIELD_BOOST })
      .slice(0, 50)
      .map((result) => String(result.articleId).replace(/~\d+$/, ''));
}

async function main() {
  const sectionCount = articles.reduce((total, article) => total + sectionsOf(article).length, 0);
  const big = grown(1000);
  const bigSections = big.reduce((total, article) => total + sectionsOf(article).length, 0);
  console.log(
    `${articles.length} articles, ${sectionCount} sections; ${kbQueries.length} queries; latency over ${bigSections} sections\n`,
  );
  const format = (value: number) => value.toFixed(3);
  for (const [name, build] of [
    ['embedded (Intl.Segmenter + bigrams, BM25)', embedded],
    ['baseline: minisearch, default tokeniser', async (corpus: Article[]) => baseline(corpus)],
  ] as const) {
    const small = await build(articles);
    const q = await quality(small);
    const speed = await latency(await build(big));
    console.log(
      `${name}\n  hit@1 ${format(q.hit1)}   hit@5 ${format(q.hit5)}   MRR@10 ${format(q.mrr)}   search p50 ${speed.p50.toFixed(2)} ms   p95 ${speed.p95.toFixed(2)} ms`,
    );
    if (process.argv.includes('--misses')) console.log(q.misses.join('\n'));
  }

  // English and Chinese side by side, on the runbooks this project ships (both languages).
  const demoDir = join(projectRoot, 'infra', 'local', 'demo-runbooks');
  const demo = readdirSync(demoDir)
    .filter((file) => file.endsWith('.md'))
    .map((file) => articleFromMarkdown(file.replace(/\.md$/, ''), readFileSync(join(demoDir, file), 'utf8'), file));
  const demoSearch = await embedded(demo);
  console.log(`\ndemo runbooks (${demo.length}, Chinese and English), embedded engine:`);
  for (const language of ['en', 'zh'] as const) {
    const q = await quality(
      demoSearch,
      demoQueries.filter((entry) => entry.language === language),
    );
    console.log(
      `  ${language === 'en' ? 'English' : 'Chinese'} questions (${demoQueries.filter((entry) => entry.language === language).length}): hit@1 ${format(q.hit1)}   hit@5 ${format(q.hit5)}   MRR@10 ${format(q.mrr)}`,
    );
    if (process.argv.includes('--misses')) console.log(q.misses.join('\n'));
  }
}

await main();
