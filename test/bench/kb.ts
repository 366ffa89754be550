/**
 * npm run bench:kb — search quality and speed of the embedded knowledge base, on each evaluation corpus found beside
 * the checkout:
 * - `../shared/kb-samples/zh`: Chinese troubleshooting articles, with the symptom queries in ./kb-queries.ts;
 * - `../shared/kb-samples/en-gitlab` and `en-kubevirt`: GitLab's and KubeVirt's runbooks, with the texts of the
 *   alerts that name them (made by `npm run kb:corpus`; see test/bench/kb-corpus.ts). A corpus that is not there is
 *   said so and skipped. GitLab's are also measured apart: alerts written by hand, and SLO alerts generated from one
 *   template.
 *
 * Quality: hit@1, hit@5 and MRR@10 of the article that answers each query (articles ranked by their best section,
 * among the 20 sections GET /kb/search gives at most; a query is cut to the API's 500 characters). Speed: search
 * latency p50/p95 over the corpus copied under new ids to at least 1,000 articles. Each engine: the embedded engine,
 * the same with hybrid search through the project's embeddings adapter and a stand-in embeddings endpoint (hashed
 * words and trigrams: no model, so it measures the fusion, not what a real model adds), and plain minisearch with its
 * default tokeniser as the baseline. Indexing: how long a 100,000-character article takes
 * to index, and the longest that anything else in the process had to wait meanwhile. Figures, not assertions.
 * `--misses` lists the queries whose article was not first; `--corpus=<name>` measures one corpus only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { projectRoot } from '../../infra/local/runtime.js';
import { embeddedKnowledgeBase, FIELD_BOOST } from '../../lib/kb/embedded.js';
import { openAiEmbedder, type Embedder } from '../../lib/kb/embeddings.js';
import { articleFromMarkdown, sectionsOf, type Article } from '../../lib/kb/markdown.js';
import { EmbeddingsStandin } from '../support/embeddings-standin.js';
import { demoQueries, kbQueries } from './kb-queries.js';

interface Query {
  query: string;
  article: string;
  generated?: boolean;
}

interface Corpus {
  name: string;
  articles: Article[];
  queries: Query[];
}

/** As long a question as GET /kb/search takes. */
const API_QUERY_CHARS = 500;

const samples = join(projectRoot, '..', 'shared', 'kb-samples');

/** The markdown files of a folder as articles, each named by its file name without `.md`. */
const articlesIn = (dir: string, source: string): Article[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .map((file) =>
      articleFromMarkdown(file.replace(/\.md$/, ''), readFileSync(join(dir, file), 'utf8'), `${source}/${file}`),
    );

function corpora(): Corpus[] {
  const found: Corpus[] = [
    { name: 'zh', articles: articlesIn(join(samples, 'zh'), 'kb-samples/zh'), queries: kbQueries },
  ];
  for (const name of ['en-gitlab', 'en-kubevirt']) {
    const dir = join(samples, name);
    if (!existsSync(join(dir, 'queries.json'))) {
      console.log(`(no ${dir}: see npm run kb:corpus, test/bench/kb-corpus.ts)\n`);
      continue;
    }
    const queries = (JSON.parse(readFileSync(join(dir, 'queries.json'), 'utf8')) as Query[]).map((entry) => ({
      ...entry,
      query: entry.query.slice(0, API_QUERY_CHARS),
    }));
    found.push({ name, articles: articlesIn(join(dir, 'runbooks'), name), queries });
  }
  return found;
}

type Search = (query: string) => Promise<string[]> | string[];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const distinct = (ids: string[]) => [...new Set(ids)];

async function quality(search: Search, queries: { query: string; article: string }[]) {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  const misses: string[] = [];
  for (const { query, article } of queries) {
    const ranked = distinct(await search(query));
    const rank = ranked.slice(0, 10).indexOf(article) + 1;
    if (rank === 1) hit1++;
    else
      misses.push(
        `  ${query.slice(0, 160)} → ${ranked[0] ?? '(nothing)'} (wanted ${article}${rank ? `, at ${rank}` : ''})`,
      );
    if (rank && rank <= 5) hit5++;
    if (rank) mrr += 1 / rank;
  }
  const n = queries.length;
  return { hit1: hit1 / n, hit5: hit5 / n, mrr: mrr / n, misses };
}

async function latency(search: Search, queries: { query: string }[], searches = 2000) {
  const times: number[] = [];
  for (let round = 0; times.length < searches; round++) {
    for (const { query } of queries) {
      const started = performance.now();
      await search(query);
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Copies of a corpus under new ids until it holds at least `count` articles. */
const grown = (articles: Article[], count: number): Article[] =>
  Array.from({ length: Math.ceil(count / articles.length) }, (_, copy) =>
    articles.map((article) => ({ ...article, id: copy ? `${article.id}~${copy}` : article.id })),
  ).flat();

async function embedded(corpus: Article[], embedder?: Embedder) {
  const kb = embeddedKnowledgeBase({ embedder });
  for (const article of corpus) await kb.upsert(article);
  // As many sections as GET /kb/search gives at most.
  return async (query: string) => (await kb.search(query, 20)).map((hit) => hit.articleId.replace(/~\d+$/, ''));
}

function baseline(corpus: Article[]) {
  const index = new MiniSearch({ fields: ['title', 'section', 'text'], storeFields: ['articleId'] });
  index.addAll(corpus.flatMap(sectionsOf));
  return (query: string) =>
    index
      .search(query, { boost: FIELD_BOOST })
      .slice(0, 20)
      .map((result) => String(result.articleId).replace(/~\d+$/, ''));
}

/**
 * Indexes one large article while a 1 ms timer ticks: the time the upsert took, and the longest gap between ticks
 * (what any other request of the process would have waited).
 */
async function indexing(article: Article, warmUp: Article) {
  const kb = embeddedKnowledgeBase();
  await kb.upsert(warmUp);
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
function largeArticles(articles: Article[], chars = 100_000): Article[] {
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
  const only = process.argv.find((arg) => arg.startsWith('--corpus='))?.slice('--corpus='.length);
  const all = corpora().filter((corpus) => !only || corpus.name === only);
  const format = (value: number) => value.toFixed(3);
  const standin = new EmbeddingsStandin();
  const embedder = openAiEmbedder({
    baseURL: await standin.start(),
    apiKey: 'bench',
    model: 'standin',
    dimensions: standin.dimensions,
  });
  const engines = [
    ['embedded', (corpus: Article[]) => embedded(corpus)],
    ['embedded, hybrid (stand-in)', (corpus: Article[]) => embedded(corpus, embedder)],
    ['minisearch, default tokeniser', async (corpus: Article[]) => baseline(corpus)],
  ] as const;
  for (const { name, articles, queries } of all) {
    const sections = articles.reduce((total, article) => total + sectionsOf(article).length, 0);
    const big = grown(articles, 1000);
    console.log(
      `${name}: ${articles.length} articles, ${sections} sections, ${queries.length} queries; latency over ${big.length} articles`,
    );
    const slices = queries.some((entry) => entry.generated)
      ? ([
          ['alerts written by hand', queries.filter((entry) => !entry.generated)],
          ['SLO alerts from one template', queries.filter((entry) => entry.generated)],
        ] as const)
      : [];
    for (const [engine, build] of engines) {
      const search = await build(articles);
      const q = await quality(search, queries);
      const speed = await latency(await build(big), queries);
      console.log(
        `  ${engine.padEnd(30)} hit@1 ${format(q.hit1)}   hit@5 ${format(q.hit5)}   MRR@10 ${format(q.mrr)}   search p50 ${speed.p50.toFixed(2)} ms   p95 ${speed.p95.toFixed(2)} ms`,
      );
      for (const [slice, sliced] of slices) {
        const part = await quality(search, sliced);
        console.log(
          `    ${`${slice} (${sliced.length})`.padEnd(34)} hit@1 ${format(part.hit1)}   hit@5 ${format(part.hit5)}   MRR@10 ${format(part.mrr)}`,
        );
      }
      if (process.argv.includes('--misses') && engine === 'embedded') console.log(q.misses.join('\n'));
    }
    console.log('');
  }
  await standin.stop();

  // English and Chinese side by side, on the runbooks this project ships (both languages).
  const demoDir = join(projectRoot, 'infra', 'local', 'demo-runbooks');
  const demo = readdirSync(demoDir)
    .filter((file) => file.endsWith('.md'))
    .map((file) => articleFromMarkdown(file.replace(/\.md$/, ''), readFileSync(join(demoDir, file), 'utf8'), file));
  const demoSearch = await embedded(demo);
  console.log(`demo runbooks (${demo.length}, Chinese and English), embedded engine:`);
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
  const zh = articlesIn(join(samples, 'zh'), 'kb-samples/zh');
  for (const article of largeArticles(zh)) {
    const { took, stall } = await indexing(article, zh[0]!);
    console.log(`  ${article.id}: upsert ${took.toFixed(0)} ms, longest wait for anything else ${stall.toFixed(0)} ms`);
  }
}

await main();
