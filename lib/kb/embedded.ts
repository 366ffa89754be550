import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import MiniSearch from 'minisearch';
import type { KnowledgeBase, SearchHit } from './knowledge-base.js';
import { sectionsOf, type Article, type Section } from './markdown.js';
import { synonymsFor, synonymsOfWord, termWeight, terms, words } from './segment.js';

/**
 * A section must match at least this share of the question's words (in either language) to be an answer at all:
 * one shared word out of four is a coincidence (泄漏 in 氧气泄漏 and 内存泄漏), not a runbook for it.
 */
const MIN_COVERAGE = 1 / 3;
import { snippetFor } from './snippet.js';

/** Title words say most about what a runbook is for; section headings next; then the text. */
export const FIELD_BOOST = { title: 3, section: 2, text: 1 };

function newIndex() {
  return new MiniSearch<Section>({
    fields: ['title', 'section', 'text', 'tags'],
    storeFields: ['articleId', 'title', 'section', 'text', 'source'],
    tokenize: terms,
    // `terms` already lower-cases, drops stop words and stems.
    processTerm: (term) => term,
    searchOptions: { boost: { ...FIELD_BOOST, tags: 2 }, combineWith: 'OR', prefix: false, fuzzy: false },
  });
}

/**
 * The embedded knowledge base for local runs: articles kept in one JSON file (under .data/), the index rebuilt from
 * them at start and kept in memory. Search is BM25 (minisearch) over Chinese-aware terms.
 */
export function embeddedKnowledgeBase(options: { file?: string } = {}): KnowledgeBase & { articles(): Article[] } {
  const articles = new Map<string, Article>();
  let index = newIndex();
  const sectionIds = new Map<string, string[]>();
  const sectionTexts = new Map<string, string>();
  let loadedAt = 0;

  const add = (article: Article) => {
    for (const id of sectionIds.get(article.id) ?? []) {
      index.discard(id);
      sectionTexts.delete(id);
    }
    const sections = sectionsOf(article);
    for (const section of sections) sectionTexts.set(section.id, section.text);
    index.addAll(sections);
    sectionIds.set(
      article.id,
      sections.map((section) => section.id),
    );
    articles.set(article.id, article);
    return sections.length;
  };
  const save = () => {
    if (!options.file) return;
    mkdirSync(dirname(options.file), { recursive: true });
    // Written whole and renamed, so a crash never leaves half a file.
    writeFileSync(`${options.file}.tmp`, JSON.stringify([...articles.values()]));
    renameSync(`${options.file}.tmp`, options.file);
    loadedAt = statSync(options.file).mtimeMs;
  };
  /** Several functions share the file in one local runtime: one's writes are picked up by the others. */
  const refresh = () => {
    if (!options.file || !existsSync(options.file)) return;
    const modified = statSync(options.file).mtimeMs;
    if (modified === loadedAt) return;
    articles.clear();
    sectionIds.clear();
    sectionTexts.clear();
    index = newIndex();
    for (const article of JSON.parse(readFileSync(options.file, 'utf8')) as Article[]) add(article);
    loadedAt = modified;
  };
  refresh();

  return {
    async upsert(article) {
      refresh();
      const sections = add(article);
      save();
      return { sections };
    },
    async get(id) {
      refresh();
      return articles.get(id);
    },
    async search(query, size) {
      refresh();
      if (!terms(query).length) return [];
      const queryWords = words(query);
      const synonyms = synonymsFor(queryWords, query);
      const expanded = synonyms.length ? `${query} ${synonyms.join(' ')}` : query;
      const distinctWords = [...new Set(queryWords)];
      const covers = (matched: Set<string>) =>
        !distinctWords.length ||
        distinctWords.filter((word) => matched.has(word) || synonymsOfWord(word).some((other) => matched.has(other)))
          .length /
          distinctWords.length >=
          MIN_COVERAGE;
      return index
        .search(expanded, { boostTerm: termWeight(new Set(queryWords), new Set(synonyms)) })
        .filter((result) => covers(new Set(result.queryTerms)))
        .slice(0, size)
        .map((result): SearchHit => ({
          articleId: result.articleId as string,
          sectionId: result.id as string,
          title: result.title as string,
          section: result.section as string,
          snippet: snippetFor(result.text as string, query),
          score: Math.round(result.score * 1000) / 1000,
          source: result.source as string,
        }));
    },
    async sectionText(sectionId) {
      refresh();
      return sectionTexts.get(sectionId);
    },
    articles: () => (refresh(), [...articles.values()]),
  };
}
