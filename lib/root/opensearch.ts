import type { Client } from '@opensearch-project/opensearch';
import { lazyAsync } from '../lambda/lazy.js';
import { env } from './env.js';

export interface OpenSearchOptions {
  url: string;
  /** Amazon OpenSearch Service (`es`) or Serverless (`aoss`): requests are SigV4-signed with the function's role. */
  sigv4?: { region: string; service: 'es' | 'aoss' };
  auth?: { username: string; password: string };
  requestTimeoutMs?: number;
}

/** One OpenSearch client for the logs and, later, the knowledge base: plain, basic-auth or SigV4-signed. */
export async function openSearchClient(options: OpenSearchOptions): Promise<Client> {
  // Loaded on first use, like the signer below: a deployment without OpenSearch never pays for it at cold start.
  const { Client } = await import('@opensearch-project/opensearch');
  const base = { node: options.url, requestTimeout: options.requestTimeoutMs ?? 5_000, maxRetries: 1 };
  if (options.sigv4) {
    const [{ AwsSigv4Signer }, { defaultProvider }] = await Promise.all([
      import('@opensearch-project/opensearch/aws-v3'),
      import('@aws-sdk/credential-provider-node'),
    ]);
    const provider = defaultProvider();
    return new Client({
      ...base,
      ...AwsSigv4Signer({
        region: options.sigv4.region,
        service: options.sigv4.service,
        getCredentials: () => provider(),
      }),
    });
  }
  return new Client({ ...base, ...(options.auth ? { auth: options.auth } : {}) });
}

/** The deployment's OpenSearch (OPENSEARCH_URL), shared by the knowledge base and check_logs; undefined when unset. */
export const configuredOpenSearch = /* @__PURE__ */ lazyAsync(async (): Promise<Client | undefined> => {
  const { OPENSEARCH_URL, OPENSEARCH_SIGV4, AWS_REGION } = env();
  if (!OPENSEARCH_URL) return undefined;
  const sigv4 = OPENSEARCH_SIGV4 ? { region: AWS_REGION, service: OPENSEARCH_SIGV4 } : undefined;
  return openSearchClient({ url: OPENSEARCH_URL, sigv4 });
});
