import * as z from 'zod';

/**
 * The environment every function reads at cold start. A missing or malformed value stops the function with a clear
 * message.
 */
const envSchema = z.object({
  STAGE: z.string().default('local'),
  AWS_REGION: z.string().default('us-east-1'),
  ALERTS_QUEUE_URL: z.string().min(1),
  NOTIFY_QUEUE_URL: z.string().min(1),
  DEDUP_TABLE: z.string().min(1),
  ALERTS_TABLE: z.string().min(1),
  INCIDENTS_TABLE: z.string().min(1),
  COMMANDS_QUEUE_URL: z.string().min(1),
  DELIVERIES_TABLE: z.string().min(1),
  SILENCES_TABLE: z.string().min(1),
  ONCALL_OVERRIDES_TABLE: z.string().min(1),
  AUDIT_TABLE: z.string().min(1),
  AUTOMATION_TABLE: z.string().min(1),
  AUTOMATION_QUEUE_URL: z.string().min(1),
  TIMERS_QUEUE_URL: z.string().min(1),
  /** Secrets Manager secret (name or ARN) holding the JSON of secret values; unset locally, where env vars stand in. */
  SECRETS_ID: z.string().optional(),
  CONFIG_DIR: z.string().default('config'),
  /** SNS topics allowed to post CloudWatch alarms, comma-separated; anything else is rejected. */
  CLOUDWATCH_TOPIC_ARNS: z.string().default(''),
  /** The stack's own alarm topic (infra/resources.yml), allowed as well: the platform's alarms about itself. */
  ALARM_TOPIC_ARN: z.string().default(''),
  FEISHU_DOMAIN: z.string().default('https://open.feishu.cn'),
  /** check_logs reads OpenSearch here; with OPENSEARCH_SIGV4 (`es` or `aoss`) requests are signed with the role. */
  OPENSEARCH_URL: z.string().default(''),
  OPENSEARCH_SIGV4: z.enum(['', 'es', 'aoss']).default(''),
  /** Local runs only: a JSON-lines file of demo log lines that check_logs reads instead of OpenSearch. */
  LOCAL_LOGS_FILE: z.string().default(''),
  /**
   * An OpenAI-compatible model for knowledge-base answers (its key is the secret LLM_API_KEY); unset: passages only.
   */
  LLM_BASE_URL: z.string().default(''),
  LLM_MODEL: z.string().default(''),
  /**
   * The knowledge base in OpenSearch: index-name prefix, and the Chinese analyzer the cluster has (plugins or built-in
   * cjk).
   */
  KB_INDEX_PREFIX: z.string().default(''),
  KB_ANALYZER: z.enum(['smartcn', 'ik_smart', 'cjk']).default('cjk'),
  /** Hybrid search in OpenSearch: an embeddings model at LLM_BASE_URL and its vector size; unset, search is lexical. */
  EMBEDDING_MODEL: z.string().default(''),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(0).max(16_000).default(0),
  /** Local runs only: where the embedded knowledge base keeps its articles. */
  KB_FILE: z.string().default(''),
  /**
   * The origin of the detail pages' links (the HTTP API's own URL in AWS unless a custom domain is set; the runtime's
   * locally), without a path. Unset: cards link to the alert's source instead.
   */
  PUBLIC_BASE_URL: z.string().default(''),
  /** How long a detail link opens its page after the card was last updated. */
  DETAIL_LINK_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(168),
  /** The incident register: a Bitable app's token and the table in it (README: 事件登记表); unset, none is kept. */
  BITABLE_APP_TOKEN: z.string().default(''),
  BITABLE_TABLE_ID: z.string().default(''),
  /** Times on cards are shown in this zone. */
  DISPLAY_TIME_ZONE: z.string().default('Asia/Shanghai'),
});
export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`OpenClaw environment is incomplete: ${problems}`);
  }
  return parsed.data;
}

export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

export const listOf = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
