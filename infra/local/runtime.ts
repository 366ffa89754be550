import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { documentClient } from '../../lib/store/dynamo.js';
import { sqsClient } from '../../lib/store/sqs-queue.js';
import { chat, clickCard } from './chat.js';
import { writeDemoLogs } from './demo-logs.js';
import { seedDemoRunbooks } from './demo-runbooks.js';
import { ScheduleEventSource, scheduleSubscriptions, SqsEventSource, sqsSubscriptions } from './event-sources.js';
import { FeishuStandin, type OutboxEntry } from './feishu-standin.js';
import { HttpGateway, httpRoutes, send } from './http-gateway.js';
import { LocalIam } from './iam.js';
import { loadFunctions, type Invocation, type LocalFunction } from './lambda.js';
import { LocalMetrics } from './metrics.js';
import { outboxView } from './outbox-view.js';
import { freePort, startDynamo, startSqs, type Peer } from './peers.js';
import { provisionQueues, provisionTables, REGION } from './provision.js';
import { cloudFormationResources, loadServerlessConfig } from './serverless-config.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const LOCAL_VERIFICATION_TOKEN = 'local-verification-token';
export const LOCAL_ENCRYPT_KEY = 'local-encrypt-key';
/**
 * Secret values (Secrets Manager in AWS) that the runtime takes from the shell as env vars, so they also reach
 * .data/local.env for `serverless invoke local`.
 */
const SHELL_SECRETS = ['LLM_API_KEY', 'SSH_PRIVATE_KEY', 'DETAIL_LINK_KEY'] as const;

export interface LocalRuntimeOptions {
  port?: number;
  /** Keep DynamoDB tables here across restarts, and the queues beside it (`../sqs`); in memory when unset. */
  dataDir?: string;
  /** Concurrent pollers per queue, like Lambda scaling out consumers (a queue's `maximumConcurrency` wins). */
  pollers?: number;
  /** Real Feishu when credentials are set; the local stand-in and outbox otherwise. */
  feishu?: { appId: string; appSecret: string; domain?: string };
  /** The Feishu app's event keys the webhook checks (local defaults when unset; empty encryptKey = no encryption). */
  feishuEvents?: { verificationToken?: string; encryptKey?: string };
  alertToken?: string;
  /** Extra environment for the functions (set before they load). */
  env?: Record<string, string>;
  /**
   * The shell's environment, read as `serverless deploy` reads it: serverless.yml's `${env:…}` settings
   * (LLM_BASE_URL, LLM_MODEL, OPENSEARCH_URL …) and the secret values a shell may hold (SHELL_SECRETS). Unset, none
   * are read, so a test runs with what it sets whatever the machine's environment holds.
   */
  shellEnv?: NodeJS.ProcessEnv;
  quiet?: boolean;
  stage?: string;
  /** Shortens every queue's visibility timeout, so tests can watch redelivery and redrive without waiting minutes. */
  visibilityTimeoutSeconds?: number;
  /** Runs every `schedule` this often instead of at its rate (the timer sweep every minute), for tests. */
  scheduleEveryMs?: number;
  /** Told of every invocation once it is done: how long it ran and how long its messages waited (the benchmark). */
  onInvocation?: (fn: string, invocation: Invocation) => void;
}

/**
 * Runs every function of serverless.yml in this process, orchestrating the parts that stand in for AWS: the peers
 * (dynalite, fauxqs), provisioning from the CloudFormation resources (provision.ts), the functions (lambda.ts), the
 * SQS and schedule event sources (event-sources.ts), the HTTP API (http-gateway.ts), the Feishu stand-in and the chat
 * driver
 * (chat.ts). Functions read their configuration from process.env at cold start, so there is one runtime per process.
 */
export class LocalRuntime {
  readonly feishu = new FeishuStandin();
  /** The functions' EMF metrics, served as Prometheus text at GET /_local/metrics. */
  readonly metrics = new LocalMetrics();
  queueUrls = new Map<string, string>();
  tableNames = new Map<string, string>();
  readonly invocations = new Map<string, number>();
  port = 0;
  env: Record<string, string> = {};
  private peers: Peer[] = [];
  private sources: (SqsEventSource | ScheduleEventSource)[] = [];
  private gateway?: HttpGateway;
  private sqs?: SQSClient;

  constructor(private readonly options: LocalRuntimeOptions = {}) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get outbox(): OutboxEntry[] {
    return this.feishu.outbox;
  }

  async start(): Promise<this> {
    // Lambda runs Node 22; the SDK's warning about this machine's Node 20 says nothing about the deployment.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const config = loadServerlessConfig(join(projectRoot, 'serverless.yml'), {
      stage: this.options.stage ?? 'local',
      region: REGION,
      env: this.options.shellEnv ?? {},
    });
    const resources = cloudFormationResources(config);
    this.port = this.options.port ?? (await freePort());

    if (this.options.dataDir) mkdirSync(this.options.dataDir, { recursive: true });
    const dataDir = this.options.dataDir;
    const [dynamo, sqs] = await Promise.all([
      startDynamo({ dataDir }),
      startSqs({ dataDir: dataDir && join(dirname(dataDir), 'sqs') }),
    ]);
    this.peers = [dynamo, sqs];
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    this.sqs = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials, useQueueUrlAsEndpoint: false });
    const db = new DynamoDBClient({ region: REGION, endpoint: dynamo.endpoint, credentials });
    this.tableNames = await provisionTables(db, resources, (entry) => this.log(entry));
    this.queueUrls = await provisionQueues(this.sqs, resources, this.options);

    const iam = new LocalIam(config, resources, inverse(this.tableNames), inverse(this.queueUrls));
    iam.enforce(documentClient().middlewareStack, 'dynamodb');
    iam.enforce(sqsClient().middlewareStack, 'sqs');
    this.env = await this.functionEnvironment(config, dynamo.endpoint, sqs.endpoint);
    this.metrics.listen();
    Object.assign(process.env, this.env);
    const functions = await loadFunctions(config, projectRoot);

    const hooks = {
      invoked: (fn: LocalFunction, invocation: Invocation) => this.count(fn, invocation),
      log: (entry: Record<string, unknown>) => this.log(entry),
    };
    this.gateway = new HttpGateway(
      httpRoutes(config, functions),
      (req, res, url) => this.serveLocal(req, res, url),
      hooks,
    );
    await this.gateway.listen(this.port);
    for (const subscription of sqsSubscriptions(config, functions, this.queueUrls)) {
      const source = new SqsEventSource(this.sqs, subscription, hooks);
      source.start(subscription.maximumConcurrency ?? this.options.pollers ?? 2);
      this.sources.push(source);
    }
    for (const subscription of scheduleSubscriptions(config, functions, this.options.scheduleEveryMs)) {
      const source = new ScheduleEventSource(subscription, hooks);
      source.start();
      this.sources.push(source);
    }
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.stop()));
    await this.gateway?.close();
    await Promise.all(this.peers.map((peer) => peer.stop()));
    this.metrics.close();
  }

  /** Writes what `serverless invoke local` needs to reach this runtime (see the README). */
  writeEnvFile(path: string): void {
    const lines = Object.entries(this.env).map(([key, value]) => `export ${key}=${shellQuote(value)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
  }

  /** Messages in a queue (visible and in flight), e.g. to look into a dead-letter queue. */
  async queueDepth(logicalId: string): Promise<{ visible: number; inFlight: number }> {
    const result = await this.sqs!.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrls.get(logicalId),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  /**
   * The functions' environment: serverless.yml's, with the stack's own resources resolved to the local tables and
   * queues, the local peers' endpoints and credentials, and the secret values as env vars (as `invoke local` has them).
   */
  private async functionEnvironment(config: Record<string, any>, dynamoEndpoint: string, sqsEndpoint: string) {
    const feishu = this.options.feishu;
    const provided: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      ALERT_TOKEN: this.options.alertToken ?? 'local-dev-token',
      FEISHU_APP_ID: feishu?.appId ?? 'cli_openclaw_local',
      FEISHU_APP_SECRET: feishu?.appSecret ?? 'local',
      FEISHU_DOMAIN: feishu ? (feishu.domain ?? 'https://open.feishu.cn') : `${this.url}/_local/feishu`,
      FEISHU_VERIFICATION_TOKEN: this.options.feishuEvents?.verificationToken ?? LOCAL_VERIFICATION_TOKEN,
      FEISHU_ENCRYPT_KEY: this.options.feishuEvents?.encryptKey ?? LOCAL_ENCRYPT_KEY,
    };
    const env: Record<string, string> = { ...provided };
    for (const [key, value] of Object.entries(config.provider.environment ?? {})) {
      // A Ref to the secret resolves to nothing: locally the secret values are the env vars above.
      const ref = typeof value === 'object' && value !== null ? (value as { Ref?: string }).Ref : undefined;
      const literal = typeof value === 'object' || value == null ? undefined : String(value);
      const resolved = ref ? (this.queueUrls.get(ref) ?? this.tableNames.get(ref)) : literal;
      if (resolved !== undefined && !(key in provided)) env[key] = resolved;
    }
    delete env.NODE_OPTIONS;
    for (const key of SHELL_SECRETS) {
      const value = this.options.shellEnv?.[key];
      if (value) env[key] = value;
    }
    // check_logs reads demo lines locally (OpenSearch in AWS), written fresh so they are always recent.
    const dir = this.options.dataDir ? dirname(this.options.dataDir) : mkdtempSync(join(tmpdir(), 'openclaw-logs-'));
    env.LOCAL_LOGS_FILE = join(dir, 'demo-logs.jsonl');
    writeDemoLogs(env.LOCAL_LOGS_FILE);
    // The embedded knowledge base, kept beside the tables; a fresh one starts with the project's demo runbooks.
    env.KB_FILE = join(dir, 'kb.json');
    await seedDemoRunbooks(env.KB_FILE);
    // Detail links point at this runtime (or where the shell says it is reached from), signed with a key kept beside
    // the tables: the links on cards survive a restart of `npm start`.
    env.PUBLIC_BASE_URL = this.options.shellEnv?.PUBLIC_BASE_URL || this.url;
    env.DETAIL_LINK_KEY ||= keptKey(join(dir, 'detail-link.key'));
    Object.assign(env, this.options.env ?? {});
    // An empty SECRETS_ID says the secret values are env vars (and keeps `invoke local` off CloudFormation).
    env.SECRETS_ID = '';
    return env;
  }

  /** What the runtime serves itself: the Feishu stand-in's API, its outbox, the chat and card drivers, the metrics. */
  private async serveLocal(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname.startsWith('/_local/feishu/')) {
      await this.feishu.serve(req, res, '/_local/feishu');
      return true;
    }
    if (url.pathname === '/_local/outbox') {
      if (req.method === 'DELETE') this.feishu.outbox.length = 0;
      const view = outboxView(this.feishu.outbox, url.searchParams);
      send(res, view.status, { 'content-type': view.contentType }, view.body);
      return true;
    }
    if (url.pathname === '/_local/metrics' && req.method === 'GET') {
      send(res, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, this.metrics.exposition());
      return true;
    }
    const driver = drivers.get(url.pathname);
    if (driver && req.method === 'POST') {
      const app = {
        verificationToken: this.env.FEISHU_VERIFICATION_TOKEN!,
        encryptKey: this.env.FEISHU_ENCRYPT_KEY || undefined,
      };
      await driver(req, res, { url: this.url, app, outbox: this.feishu.outbox });
      return true;
    }
    return false;
  }

  private count(fn: LocalFunction, invocation: Invocation) {
    this.invocations.set(fn.name, (this.invocations.get(fn.name) ?? 0) + 1);
    this.options.onInvocation?.(fn.name, invocation);
  }

  private log(entry: Record<string, unknown>) {
    if (this.options.quiet) return;
    console.error(JSON.stringify({ time: new Date().toISOString(), component: 'local-runtime', ...entry }));
  }
}

/** Talking to the bot as Feishu would: messages, and clicks on its cards. */
const drivers = new Map([
  ['/_local/chat', chat],
  ['/_local/card', clickCard],
]);

/** A map's values to its keys: a table's name or a queue's URL to its logical id. */
const inverse = (map: Map<string, string>) => new Map([...map].map(([key, value]) => [value, key]));
/** A random key made once and kept in `file`. */
function keptKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
