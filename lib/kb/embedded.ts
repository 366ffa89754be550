import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KnowledgeBase, SearchHit } from './knowledge-base.js';
import type { Embedder } from './embeddings.js';
import { embeddingText, sectionsOf, type Article, type Section } from './markdown.js';
import { sectionIndex } from './bm25.js';
import { questionOf } from './question.js';
import { terms, termsBySentence, wordParts } from './segment.js';
import { snippetsFor } from './snippet.js';
import { KNN_CANDIDATES, vectorIndex } from './vectors.js';

/** Title words say most about what a runbook is for; section headings next; then the text. */
export const FIELD_BOOST = { title: 6, section: 4, text: 1, tags: 2 };

/**
 * Runs `work` on each step, letting everything else waiting in the process run (timers, I/O, other requests) once it
 * has worked `turnMs` without a break: indexing a 200,000-character article takes a few hundred milliseconds, which in
 * one piece would stall every other request for as long.
 */
async function inTurns<T>(steps: Iterable<T>, work: (step: T) => void, turnMs = 10): Promise<void> {
  let since = performance.now();
  for (const step of steps) {
    work(step);
    if (performance.now() - since > turnMs) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}

/** The texts of a section the index holds, in the order of `FIELD_BOOST`. */
const fieldTexts = (section: Section) => [section.title, section.section, section.text, section.tags.join(' ')];

const sameArticle = (a: Article, b: Article) =>
  a.title === b.title && a.body === b.body && a.source === b.source && a.tags.join('\n') === b.tags.join('\n');

/**
 * The embedded knowledge base for local runs: articles kept in one JSON file (under .data/), the index built from
 * them at start and kept in memory. Search is BM25 (./bm25.ts) over Chinese-aware terms and adjacent word pairs;
 * a section counts more the more of its runbook's title the question names, and must cover enough of the question
 * (./question.ts).
 *
 * Indexing never holds up other requests for long: an article's terms are made, and its sections indexed, in turns
 * (`inTurns`); a search in the meantime finds the article as it was, or part of the new one. Changes are applied
 * one at a time. When another process changed the file, only the articles that changed are indexed again; a
 * search meanwhile answers from the index as it is (an alert's related runbook must not wait for it), everything else
 * waits for it.
 */
export function embeddedKnowledgeBase(options: { file?: string; embedder?: Embedder } = {}): KnowledgeBase {
  const articles = new Map<string, Article>();
  const sectionIds = new Map<string, string[]>();
  /** Terms made in turns before an article is indexed, by field text: the index's tokenizer takes them from here. */
  const prepared = new Map<string, string[]>();
  const termsOf = (text: string) => prepared.get(text) ?? terms(text);
  const index = sectionIndex(Object.values(FIELD_BOOST));
  const indexed = new Map<string, Section>();
  const vectors = vectorIndex();
  /** Each article's title as the words it is made of: what the article says it is about. */
  const titleWords = new Map<string, ReturnType<typeof wordParts>>();
  let loadedAt = 0;
  let changes: Promise<unknown> = Promise.resolve();

  /** Runs one change to the index after those before it. */
  const serially = <T>(change: () => Promise<T>): Promise<T> => {
    const done = changes.then(change);
    changes = done.catch(() => undefined);
    return done;
  };

  const remove = (articleId: string) => {
    for (const id of sectionIds.get(articleId) ?? []) {
      index.remove(id);
      vectors.remove(id);
      indexed.delete(id);
    }
    sectionIds.delete(articleId);
    titleWords.delete(articleId);
    articles.delete(articleId);
  };

  const add = async (article: Article) => {
    const sections = sectionsOf(article);
    const texts = [...new Set(sections.flatMap(fieldTexts))];
    // Without vectors (the embeddings call failed) the article is still found by its words.
    const embedded = await options.embedder?.embed(sections.map(embeddingText)).catch(() => undefined);
    try {
      for (const text of texts) {
        const made: string[] = [];
        await inTurns(termsBySentence(text), (sentence) => made.push(...sentence));
        prepared.set(text, made);
      }
      remove(article.id);
      await inTurns(sections, (section) => {
        index.add(section.id, fieldTexts(section).map(termsOf));
        indexed.set(section.id, section);
      });
      sections.forEach((section, i) => embedded?.[i] && vectors.set(section.id, embedded[i]));
    } finally {
      for (const text of texts) prepared.delete(text);
    }
    sectionIds.set(
      article.id,
      sections.map((section) => section.id),
    );
    titleWords.set(article.id, wordParts(article.title));
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
  const fileChanged = () =>
    Boolean(options.file && existsSync(options.file) && statSync(options.file).mtimeMs !== loadedAt);
  /** Several processes may share the file: one's writes are picked up by the others, article by article. */
  const reload = () =>
    serially(async () => {
      if (!fileChanged()) return;
      const modified = statSync(options.file!).mtimeMs;
      const stored = JSON.parse(readFileSync(options.file!, 'utf8')) as Article[];
      const ids = new Set(stored.map((article) => article.id));
      for (const id of [...articles.keys()]) if (!ids.has(id)) remove(id);
      for (const article of stored) {
        const known = articles.get(article.id);
        if (!known || !sameArticle(known, article)) await add(article);
      }
      loadedAt = modified;
    });
  let reloading: Promise<void> | undefined;
  /** The index as the file has it: a reload when the file changed (one at a time), else the changes under way. */
  const current = () => (fileChanged() ? (reloading ??= reload().finally(() => (reloading = undefined))) : changes);
  let loaded = false;
  // A first load that fails is tried again, and its error given, by the next call that waits for the file.
  current().then(
    () => (loaded = true),
    () => undefined,
  );

  return {
    async upsert(article) {
      await current();
      return serially(async () => {
        const sections = await add(article);
        save();
        return { sections };
      });
    },
    async get(id) {
      await current();
      return articles.get(id);
    },
    async search(query, size) {
      // Waits for the first load only: a later reload is picked up when it is done, and fails at the next upsert.
      const update = current().catch(() => undefined);
      if (!loaded) await update;
      const question = questionOf(query, index);
      if (!question.searched.length) return [];
      const titleNamed = new Map<string, number>();
      const namedOf = (articleId: string) => {
        let named = titleNamed.get(articleId);
        if (named === undefined)
          titleNamed.set(articleId, (named = question.namesTitle(titleWords.get(articleId) ?? [])));
        return named;
      };
      const ranked = index
        .search(question.searched, question.boost)
        .map(({ id, score }) => {
          const section = indexed.get(id)!;
          const named = namedOf(section.articleId);
          return { section, named, score: score * question.titleBoost(named) };
        })
        .sort((a, b) => b.score - a.score);
      // With embeddings, the k-NN half can add sections whose words differ from the question's (a paraphrase).
      const lexicalCount = options.embedder ? Math.max(size, KNN_CANDIDATES) : size;
      const lexical: { section: Section; score: number }[] = [];
      for (const answer of ranked) {
        if (lexical.length === lexicalCount) break;
        // A runbook whose title the question names is never dropped: its name is the most distinctive thing it shares.
        if (question.keeps(answer.named) || question.covers((term) => index.holds(answer.section.id, term)))
          lexical.push(answer);
      }
      // When no section covers enough of a question the knowledge base speaks to (most of its words are known),
      // the best matches are still better than nothing: an alert naming four components has no runbook for all four.
      if (!lexical.length && question.inVocabulary) lexical.push(...ranked.slice(0, lexicalCount));
      const queryVector =
        options.embedder && vectors.size
          ? await options.embedder.embed([query]).then(
              ([vector]) => vector,
              () => undefined,
            )
          : undefined;
      const found = queryVector
        ? vectors
            .fuse(
              lexical.map(({ section, score }) => ({ id: section.id, score })),
              queryVector,
            )
            .map(({ id, score }) => ({ section: indexed.get(id)!, score }))
        : lexical;
      const snippet = snippetsFor(query);
      return found.slice(0, size).map(({ section, score }): SearchHit => ({
        articleId: section.articleId,
        sectionId: section.id,
        title: section.title,
        section: section.section,
        snippet: snippet(section.text),
        score: Math.round(score * 1e6) / 1e6,
        source: section.source,
      }));
    },
    async sectionText(sectionId) {
      await current();
      return indexed.get(sectionId)?.text;
    },
  };
}
