import type { Article } from './markdown.js';

/** One search result: a section of an article, with the matched words marked `<em>…</em>` in its snippet. */
export interface SearchHit {
  articleId: string;
  sectionId: string;
  title: string;
  section: string;
  snippet: string;
  score: number;
  source: string;
}

/** The knowledge base. Adapters: OpenSearch (AWS) and an embedded engine (local runs); one contract test for both. */
export interface KnowledgeBase {
  /** Creates or replaces an article (by id); returns how many sections it was cut into. */
  upsert(article: Article): Promise<{ sections: number }>;
  get(id: string): Promise<Article | undefined>;
  search(query: string, size: number): Promise<SearchHit[]>;
  /** A section's whole text (search hits carry only a snippet), for a model to answer from. */
  sectionText(sectionId: string): Promise<string | undefined>;
}
