import * as z from 'zod';

/** Secret values. In AWS they are one JSON secret in Secrets Manager; locally the same names are env vars. */
const secretsSchema = z
  .object({
    /** Bearer token(s) the alert sources present, comma-separated so a token can be rotated without downtime. */
    ALERT_TOKEN: z.string().min(1, 'ALERT_TOKEN is empty'),
    FEISHU_APP_ID: z.string().optional(),
    FEISHU_APP_SECRET: z.string().optional(),
    /** From the app's 事件与回调 → 加密策略 page: every event carries the token; the key encrypts and signs them. */
    FEISHU_VERIFICATION_TOKEN: z.string().optional(),
    FEISHU_ENCRYPT_KEY: z.string().optional(),
    /** The key automation logs in with over SSH (OpenSSH PEM); each host's key is pinned in config/inventory.yaml. */
    SSH_PRIVATE_KEY: z.string().optional(),
    /** Signs the detail pages' links (lib/incidents/detail-link.ts): at least 32 random characters. */
    DETAIL_LINK_KEY: z.string().optional(),
    /** The key of the model at LLM_BASE_URL. */
    LLM_API_KEY: z.string().optional(),
    // Per-cluster kubeconfigs are named in config/inventory.yaml (kubeconfigSecret), so they are kept whatever their
    // key.
  })
  .catchall(z.unknown());
export type Secrets = z.infer<typeof secretsSchema>;

export interface SecretSource {
  read(): Promise<Record<string, unknown>>;
}

/** Reads process.env: the local runtime and `serverless invoke local` put the values there. */
export const envSecretSource: SecretSource = { read: async () => ({ ...process.env }) };

/** Reads one JSON secret from Secrets Manager; the client is loaded only where a secret id is configured. */
export function secretsManagerSource(secretId: string): SecretSource {
  return {
    async read() {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!result.SecretString) throw new Error(`secret ${secretId} has no string value`);
      return JSON.parse(result.SecretString) as Record<string, unknown>;
    },
  };
}

/** Caches for five minutes so a rotated secret is picked up without a redeploy, without a call per request. */
export function secretsProvider(source: SecretSource, ttlMs = 5 * 60_000) {
  let value: { secrets: Secrets; at: number } | undefined;
  return async (): Promise<Secrets> => {
    if (value && Date.now() - value.at < ttlMs) return value.secrets;
    const parsed = secretsSchema.safeParse(await source.read());
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new Error(`secrets are incomplete: ${problems.join('; ')}`);
    }
    value = { secrets: parsed.data, at: Date.now() };
    return parsed.data;
  };
}

export function defaultSecrets(secretId: string | undefined) {
  return secretsProvider(secretId ? secretsManagerSource(secretId) : envSecretSource);
}
