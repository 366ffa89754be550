import type { Client } from '@opensearch-project/opensearch';
import type { KnowledgeBase, SearchHit } from './knowledge-base.js';
import { embeddingText, sectionsOf, type Article, type Section } from './markdown.js';
import { KNN_CANDIDATES } from './vectors.js';
import type { Embedder } from './embeddings.js';
import { escapeHtml } from './snippet.js';

/** Chinese analysis in OpenSearch: the smartcn or IK plugins when installed, else the built-in CJK bigram analyzer. */
export type ChineseAnalyzer = 'smartcn' | 'ik_smart' | 'cjk';

export interface OpenSearchKbOptions {
  /** Index-name prefix: `<prefix>-sections` and `<prefix>-articles`. */
  prefix: string;
  analyzer: ChineseAnalyzer;
  /** With embeddings, sections carry a vector and search is hybrid: the lexical match or k-NN, scores added. */
  embedder?: Embedder;
}

/** Title words say most about what a runbook is for; section headings next; then tags and the text. */
export const SEARCH_FIELDS = ['title^3', 'section^2', 'tags^2', 'text'];

/** The mapping both indices share: text fields analysed for Chinese and English, ids and sources as keywords. */
export function sectionIndexBody(analyzer: ChineseAnalyzer, dimensions?: number) {
  const text = { type: 'text', analyzer };
  return {
    ...(dimensions ? { settings: { index: { knn: true } } } : {}),
    mappings: {
      properties: {
        articleId: { type: 'keyword' },
        title: text,
        section: text,
        text,
        tags: { type: 'keyword', fields: { text } },
        source: { type: 'keyword' },
        ...(dimensions
          ? {
              embedding: {
                type: 'knn_vector',
                dimension: dimensions,
                method: { name: 'hnsw', space_type: 'cosinesimil', engine: 'lucene' },
              },
            }
          : {}),
      },
    },
  };
}

/**
 * The knowledge base in OpenSearch (Amazon OpenSearch Service in AWS). Sections are documents of one index, searched
 * with `multi_match` (title boosted) and highlighted; whole articles are kept in a second index for `GET` and edits.
 */
export function openSearchKnowledgeBase(client: Client, options: OpenSearchKbOptions): KnowledgeBase {
  const sections = `${options.prefix}-sections`;
  const articles = `${options.prefix}-articles`;
  let ready: Promise<void> | undefined;
  const ensureIndices = () =>
    (ready ??= (async () => {
      for (const [index, body] of [
        [sections, sectionIndexBody(options.analyzer, options.embedder?.dimensions)],
        [articles, { mappings: { dynamic: false, properties: { title: { type: 'keyword' } } } }],
      ] as const) {
        const exists = await client.indices.exists({ index });
        if (!exists.body) await client.indices.create({ index, body: body as Record<string, unknown> });
      }
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  const searchQuery = async (query: string) => {
    const lexical = { multi_match: { query, fields: SEARCH_FIELDS, type: 'best_fields' as const } };
    if (!options.embedder) return lexical;
    // A failed embedding call degrades to lexical search rather than failing the question.
    const vector = await options.embedder.embed([query]).then(
      (vectors) => vectors[0],
      () => undefined,
    );
    return vector ? { bool: { should: [lexical, { knn: { embedding: { vector, k: KNN_CANDIDATES } } }] } } : lexical;
  };

  return {
    async upsert(article: Article) {
      await ensureIndices();
      const parts = sectionsOf(article);
      // Old sections go first: an edited article may have fewer headings than before.
      await client.deleteByQuery({
        index: sections,
        body: { query: { term: { articleId: article.id } } },
        refresh: true,
      });
      const vectors = options.embedder ? await options.embedder.embed(parts.map(embeddingText)) : [];
      const body = parts.flatMap((section: Section, i) => [
        { index: { _index: sections, _id: section.id } },
        vectors[i] ? { ...section, embedding: vectors[i] } : section,
      ]);
      const result = await client.bulk({ body, refresh: 'wait_for' });
      if ((result.body as { errors?: boolean }).errors)
        throw new Error(`OpenSearch refused some sections of ${article.id}`);
      await client.index({ index: articles, id: article.id, body: article, refresh: 'wait_for' });
      return { sections: parts.length };
    },
    async get(id) {
      await ensureIndices();
      const response = await client.get({ index: articles, id }, { ignore: [404] });
      const found = response.body as { found?: boolean; _source?: Article };
      return found.found ? found._source : undefined;
    },
    async sectionText(sectionId) {
      await ensureIndices();
      const response = await client.get({ index: sections, id: sectionId }, { ignore: [404] });
      const found = response.body as { found?: boolean; _source?: Section };
      return found.found ? found._source?.text : undefined;
    },
    async search(query, size) {
      await ensureIndices();
      const response = await client.search({
        index: sections,
        body: {
          size,
          query: await searchQuery(query),
          _source: { excludes: ['embedding'] },
          highlight: {
            pre_tags: ['<em>'],
            post_tags: ['</em>'],
            encoder: 'html',
            fields: { text: { fragment_size: 160, number_of_fragments: 1 }, section: {}, title: {} },
          },
        },
      });
      const hits =
        (
          response.body as {
            hits?: { hits?: { _id: string; _score: number; _source: Section; highlight?: Record<string, string[]> }[] };
          }
        ).hits?.hits ?? [];
      return hits.map((hit): SearchHit => ({
        articleId: hit._source.articleId,
        sectionId: hit._id,
        title: hit._source.title,
        section: hit._source.section,
        snippet: hit.highlight?.text?.[0] ?? hit.highlight?.section?.[0] ?? escapeHtml(hit._source.text.slice(0, 160)),
        score: Math.round(hit._score * 1000) / 1000,
        source: hit._source.source,
      }));
    },
  };
}
