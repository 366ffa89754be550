import type { Env } from './env.js';
import { openSearchClient } from './opensearch.js';
import { embeddedKnowledgeBase } from '../kb/embedded.js';
import { openAiEmbedder } from '../kb/embeddings.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import { openSearchKnowledgeBase } from '../kb/opensearch.js';

/**
 * The knowledge base this deployment is configured for: OpenSearch when OPENSEARCH_URL is set (AWS), the embedded
 * engine when KB_FILE is (local runs), none otherwise (questions are then answered that it is not configured).
 * With EMBEDDING_MODEL and EMBEDDING_DIMENSIONS (and the model key), OpenSearch search is hybrid.
 */
export async function configuredKnowledgeBase(config: Env, llmApiKey?: string): Promise<KnowledgeBase | undefined> {
  if (config.OPENSEARCH_URL) {
    const sigv4 = config.OPENSEARCH_SIGV4 ? { region: config.AWS_REGION, service: config.OPENSEARCH_SIGV4 } : undefined;
    const client = await openSearchClient({ url: config.OPENSEARCH_URL, sigv4 });
    const embedder =
      config.EMBEDDING_MODEL && config.EMBEDDING_DIMENSIONS && config.LLM_BASE_URL && llmApiKey
        ? openAiEmbedder({
            baseURL: config.LLM_BASE_URL,
            apiKey: llmApiKey,
            model: config.EMBEDDING_MODEL,
            dimensions: config.EMBEDDING_DIMENSIONS,
          })
        : undefined;
    return openSearchKnowledgeBase(client, {
      prefix: config.KB_INDEX_PREFIX || `openclaw-${config.STAGE}-kb`,
      analyzer: config.KB_ANALYZER,
      embedder,
    });
  }
  return config.KB_FILE ? embeddedKnowledgeBase({ file: config.KB_FILE }) : undefined;
}
