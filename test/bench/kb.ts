/**
 * npm run bench:kb — search quality and speed of the embedded knowledge base on ../shared/kb-samples/zh.
 *
 * Quality: hit@1, hit@5 and MRR@10 of the article that answers each query in ./kb-queries.ts (articles ranked by
 * their best section). Speed: search latency p50/p95 over an index grown to at least 1,000 sections. The same figures
 * for plain minisearch with its default tokeniser are the baseline. Indexing: how long a 100,000-character article
 * takes to index, and the longest that anything else in the process had to wait meanwhile. Figures, not assertions.
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

/**
 * Indexes one large article while a 1 ms timer ticks: the time the upsert took, and the longest gap between ticks
 * (what any other request of the process would have waited).
 */
async function indexing(article: Article) {
  const kb = embeddedKnowledgeBase();
  await kb.upsert(articles[0]!);
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  await kb.upsert(article);
  const took = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  return { took, stall };
}

/** 100,000 characters of runbook text: the samples one after another, and the same text as one line without breaks. */
function largeArticles(chars = 100_000): Article[] {
  let body = '';
  for (let copy = 0; body.length < chars; copy++) body += articles.map((article) => article.body).join('\n\n');
  const runbook = body.slice(0, chars);
  const oneLine = runbook.replace(/[\s。！？；，,：:、（）()《》「」“”"'!?;]+/gu, '');
  const line = oneLine.repeat(Math.ceil(chars / oneLine.length)).slice(0, chars);
  return [
    { id: 'large-runbook', title: '大型手册', tags: [], body: runbook, source: 'bench' },
    { id: 'large-line', title: '无断句的长文', tags: [], body: line, source: 'bench' },
  ];
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

  console.log('\nindexing one article of 100,000 characters (embedded engine):');
  for (const article of largeArticles()) {
    const { took, stall } = await indexing(article);
    console.log(`  ${article.id}: upsert ${took.toFixed(0)} ms, longest wait for anything else ${stall.toFixed(0)} ms`);
  }
}

await main();
