import type { Env } from '../store/config.js';
import { openSearchClient } from '../store/opensearch.js';
import { embeddedKnowledgeBase } from './embedded.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { openSearchKnowledgeBase } from './opensearch.js';

/**
 * The knowledge base this deployment is configured for: OpenSearch when OPENSEARCH_URL is set (AWS), the embedded
 * engine when KB_FILE is (local runs), none otherwise (questions are then answered that it is not configured).
 */
export async function configuredKnowledgeBase(config: Env): Promise<KnowledgeBase | undefined> {
  if (config.OPENSEARCH_URL) {
    const sigv4 = config.OPENSEARCH_SIGV4 ? { region: config.AWS_REGION, service: config.OPENSEARCH_SIGV4 } : undefined;
    const client = await openSearchClient({ url: config.OPENSEARCH_URL, sigv4 });
    return openSearchKnowledgeBase(client, { prefix: config.KB_INDEX_PREFIX || `openclaw-${config.STAGE}-kb`, analyzer: config.KB_ANALYZER });
  }
  return config.KB_FILE ? embeddedKnowledgeBase({ file: config.KB_FILE }) : undefined;
}
