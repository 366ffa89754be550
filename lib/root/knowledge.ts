import type { LanguageModel } from '../kb/answer.js';
import { embeddedKnowledgeBase } from '../kb/embedded.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import { openSearchKnowledgeBase } from '../kb/opensearch.js';
import { HttpError } from '../lambda/errors.js';
import { lazyAsync } from '../lambda/lazy.js';
import { secrets } from './adapters.js';
import { env } from './env.js';
import { configuredOpenSearch } from './opensearch.js';

/**
 * The knowledge base this deployment is configured for, made once per container: OpenSearch when OPENSEARCH_URL is
 * set (AWS), the embedded engine when KB_FILE is (local runs), none otherwise (questions are then answered that it
 * is not configured). With EMBEDDING_MODEL and EMBEDDING_DIMENSIONS (and the model key), search is hybrid in either.
 */
export const knowledgeBase = /* @__PURE__ */ lazyAsync(async (): Promise<KnowledgeBase | undefined> => {
  const config = env();
  const client = await configuredOpenSearch();
  if (!client && !config.KB_FILE) return undefined;
  const { LLM_API_KEY } = await secrets();
  // The openai client is loaded only where a model is configured, and then on first use, not at every cold start.
  const embedder =
    config.EMBEDDING_MODEL && config.EMBEDDING_DIMENSIONS && config.LLM_BASE_URL && LLM_API_KEY
      ? (await import('../kb/embeddings.js')).openAiEmbedder({
          baseURL: config.LLM_BASE_URL,
          apiKey: LLM_API_KEY,
          model: config.EMBEDDING_MODEL,
          dimensions: config.EMBEDDING_DIMENSIONS,
        })
      : undefined;
  if (!client) return embeddedKnowledgeBase({ file: config.KB_FILE, embedder });
  return openSearchKnowledgeBase(client, {
    prefix: config.KB_INDEX_PREFIX || `openclaw-${config.STAGE}-kb`,
    analyzer: config.KB_ANALYZER,
    embedder,
  });
});

/** The model that writes answers, when LLM_BASE_URL, LLM_MODEL and the key LLM_API_KEY are all set. */
export const languageModel = /* @__PURE__ */ lazyAsync(async (): Promise<LanguageModel | undefined> => {
  const { LLM_BASE_URL, LLM_MODEL } = env();
  const { LLM_API_KEY } = await secrets();
  return LLM_BASE_URL && LLM_MODEL && LLM_API_KEY
    ? (await import('../kb/openai-model.js')).openAiModel({
        baseURL: LLM_BASE_URL,
        model: LLM_MODEL,
        apiKey: LLM_API_KEY,
      })
    : undefined;
});

/** The knowledge base, or a 503 that says how to configure one (for its HTTP API). */
export async function configuredKnowledgeBase(): Promise<KnowledgeBase> {
  const kb = await knowledgeBase();
  if (!kb) {
    throw new HttpError(503, 'the knowledge base has no backend configured (OPENSEARCH_URL in AWS; KB_FILE locally)');
  }
  return kb;
}
