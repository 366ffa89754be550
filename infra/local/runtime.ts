import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { writeDemoLogs } from './demo-logs.js';
import { seedDemoRunbooks } from './demo-runbooks.js';
import { delivery, envelope, textMessage } from './feishu-events.js';
import { FeishuStandin, LOCAL_BOT_OPEN_ID, type OutboxEntry } from './feishu-standin.js';
import { freePort, startDynamo, startSqs, type Peer } from './peers.js';
import { cloudFormationResources, loadServerlessConfig } from './serverless-config.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
export const LOCAL_VERIFICATION_TOKEN = 'local-verification-token';
export const LOCAL_ENCRYPT_KEY = 'local-encrypt-key';
/** API Gateway's own payload limit: larger requests never reach the function. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

interface HttpRoute {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  functionName: string;
}

interface SqsSubscription {
  functionName: string;
  queueLogicalId: string;
  batchSize: number;
  reportsBatchItemFailures: boolean;
}

export interface LocalRuntimeOptions {
  port?: number;
  /** Keep DynamoDB tables here across restarts; in memory when unset. */
  dataDir?: string;
  /** Concurrent pollers per queue, like Lambda scaling out consumers. */
  pollers?: number;
  /** Real Feishu when credentials are set; the local stand-in and outbox otherwise. */
  feishu?: { appId: string; appSecret: string; domain?: string };
  /** The Feishu app's event keys the webhook checks (local defaults when unset; empty encryptKey = no encryption). */
  feishuEvents?: { verificationToken?: string; encryptKey?: string };
  alertToken?: string;
  /** Extra environment for the functions (set before they load). */
  env?: Record<string, string>;
  quiet?: boolean;
  stage?: string;
  /** Shortens every queue's visibility timeout, so tests can watch redelivery and redrive without waiting minutes. */
  visibilityTimeoutSeconds?: number;
}

/**
 * Runs every function of serverless.yml in this process: HTTP API routes on one port, each SQS event source polled
 * like Lambda's event source mapping (batch size, partial batch failures, visibility timeout, redrive by the queue's
 * own policy), DynamoDB tables and SQS queues created from the CloudFormation resources. Functions load their
 * configuration from process.env at cold start, so there is one runtime per process.
 */
export class LocalRuntime {
  readonly feishu = new FeishuStandin();
  readonly queueUrls = new Map<string, string>();
  readonly tableNames = new Map<string, string>();
  readonly invocations = new Map<string, number>();
  port = 0;
  private server?: Server;
  private peers: Peer[] = [];
  private running = false;
  private pollers: Promise<void>[] = [];
  private handlers = new Map<string, LambdaHandler>();
  private routes: HttpRoute[] = [];
  private subscriptions: SqsSubscription[] = [];
  private timeouts = new Map<string, number>();
  private sqs?: SQSClient;
  env: Record<string, string> = {};

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
    const stage = this.options.stage ?? 'local';
    const config = loadServerlessConfig(join(projectRoot, 'serverless.yml'), { stage, region: REGION, env: {} });
    const resources = cloudFormationResources(config);
    this.port = this.options.port ?? (await freePort());

    if (this.options.dataDir) mkdirSync(this.options.dataDir, { recursive: true });
    const [dynamo, sqs] = await Promise.all([startDynamo({ dataDir: this.options.dataDir }), startSqs()]);
    this.peers = [dynamo, sqs];
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    this.sqs = new SQSClient({ region: REGION, endpoint: sqs.endpoint, credentials, useQueueUrlAsEndpoint: false });
    await this.createTables(new DynamoDBClient({ region: REGION, endpoint: dynamo.endpoint, credentials }), resources);
    await this.createQueues(resources);

    const feishu = this.options.feishu;
    const provided: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      ALERT_TOKEN: this.options.alertToken ?? 'local-dev-token',
      FEISHU_APP_ID: feishu?.appId ?? 'cli_openclaw_local',
      FEISHU_APP_SECRET: feishu?.appSecret ?? 'local',
      FEISHU_DOMAIN: feishu ? (feishu.domain ?? 'https://open.feishu.cn') : `${this.url}/_local/feishu`,
      FEISHU_VERIFICATION_TOKEN: this.options.feishuEvents?.verificationToken ?? LOCAL_VERIFICATION_TOKEN,
      FEISHU_ENCRYPT_KEY: this.options.feishuEvents?.encryptKey ?? LOCAL_ENCRYPT_KEY,
    };
    const resolveRef = (value: unknown): string | undefined => {
      if (typeof value !== 'object' || value === null)
        return value === undefined || value === null ? undefined : String(value);
      const ref = (value as { Ref?: string }).Ref;
      if (ref && this.queueUrls.has(ref)) return this.queueUrls.get(ref);
      if (ref && this.tableNames.has(ref)) return this.tableNames.get(ref);
      return undefined; // e.g. the Secrets Manager secret: locally the values come from env vars instead
    };
    this.env = { ...provided };
    for (const [key, value] of Object.entries(config.provider.environment ?? {})) {
      const resolved = resolveRef(value);
      if (resolved !== undefined && !(key in provided)) this.env[key] = resolved;
    }
    delete this.env.NODE_OPTIONS;
    // check_logs reads demo lines locally (OpenSearch in AWS), written fresh so they are always recent.
    const logsFile = join(
      this.options.dataDir ? dirname(this.options.dataDir) : mkdtempSync(join(tmpdir(), 'openclaw-logs-')),
      'demo-logs.jsonl',
    );
    writeDemoLogs(logsFile);
    this.env.LOCAL_LOGS_FILE = logsFile;
    // The embedded knowledge base, kept beside the tables; a fresh one starts with the project's demo runbooks.
    this.env.KB_FILE = join(dirname(logsFile), 'kb.json');
    await seedDemoRunbooks(this.env.KB_FILE);
    Object.assign(this.env, this.options.env ?? {});
    // Locally the secret values are env vars; an empty SECRETS_ID says so (and keeps `invoke local` off CloudFormation).
    this.env.SECRETS_ID = '';
    Object.assign(process.env, this.env);

    for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
      this.timeouts.set(name, (fn.timeout ?? config.provider.timeout ?? 6) * 1000);
      for (const event of fn.events ?? []) {
        if (event.httpApi) {
          const { method, path } = event.httpApi;
          const params: string[] = [];
          const pattern = new RegExp(
            `^${path.replace(/\{(\w+)\+?\}/g, (_: string, p: string) => (params.push(p), '([^/]+)'))}$`,
          );
          this.routes.push({ method: method.toUpperCase(), path, pattern, params, functionName: name });
        }
        if (event.sqs) {
          const arn = event.sqs.arn;
          const logicalId = Array.isArray(arn?.['Fn::GetAtt']) ? arn['Fn::GetAtt'][0] : undefined;
          if (!logicalId || !this.queueUrls.has(logicalId))
            throw new Error(`function ${name}: sqs event must reference a queue of resources with !GetAtt <Queue>.Arn`);
          this.subscriptions.push({
            functionName: name,
            queueLogicalId: logicalId,
            batchSize: event.sqs.batchSize ?? 10,
            reportsBatchItemFailures: event.sqs.functionResponseType === 'ReportBatchItemFailures',
          });
        }
      }
      const [file, exportName] = splitHandler(fn.handler);
      const module = await import(pathToFileURL(join(projectRoot, `${file}.ts`)).href);
      if (typeof module[exportName] !== 'function')
        throw new Error(`function ${name}: ${fn.handler} does not export a handler`);
      this.handlers.set(name, module[exportName]);
    }

    this.server = createServer((req, res) => void this.serveHttp(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', resolve);
    });
    this.running = true;
    for (const subscription of this.subscriptions) {
      for (let i = 0; i < (this.options.pollers ?? 2); i++) this.pollers.push(this.poll(subscription));
    }
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.pollers);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // keep-alive clients would otherwise hold close() open
    });
    await Promise.all(this.peers.map((peer) => peer.stop()));
  }

  /** Writes what `serverless invoke local` needs to reach this runtime (see the README). */
  writeEnvFile(path: string): void {
    const lines = Object.entries(this.env).map(([key, value]) => `export ${key}=${shellQuote(value)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
  }

  private async createTables(db: DynamoDBClient, resources: ReturnType<typeof cloudFormationResources>) {
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const p = resource.Properties;
      this.tableNames.set(logicalId, p.TableName);
      try {
        await db.send(
          new CreateTableCommand({
            TableName: p.TableName,
            AttributeDefinitions: p.AttributeDefinitions,
            KeySchema: p.KeySchema,
            BillingMode: 'PAY_PER_REQUEST',
            ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier run under .data/
        await this.addMissingIndexes(db, p);
      }
    }
  }

  /** A table kept under .data/ from an older version lacks the indexes added since: add them, keeping the data. */
  private async addMissingIndexes(db: DynamoDBClient, p: Record<string, any>) {
    const wanted: Record<string, any>[] = p.GlobalSecondaryIndexes ?? [];
    if (!wanted.length) return;
    const existing =
      (await db.send(new DescribeTableCommand({ TableName: p.TableName }))).Table?.GlobalSecondaryIndexes ?? [];
    for (const index of wanted.filter((w) => !existing.some((e) => e.IndexName === w.IndexName))) {
      await db.send(
        new UpdateTableCommand({
          TableName: p.TableName,
          AttributeDefinitions: p.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
          ],
        }),
      );
      this.log({ level: 'info', message: 'index added to a kept table', table: p.TableName, index: index.IndexName });
    }
  }

  /** Dead-letter queues first, so a redrive policy can name their ARN. */
  private async createQueues(resources: ReturnType<typeof cloudFormationResources>) {
    const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    const arnOf = (logicalId: string) =>
      `arn:aws:sqs:${REGION}:${ACCOUNT}:${resources[logicalId]!.Properties.QueueName}`;
    queues.sort(
      ([, a], [, b]) => Number(Boolean(a.Properties.RedrivePolicy)) - Number(Boolean(b.Properties.RedrivePolicy)),
    );
    for (const [logicalId, resource] of queues) {
      const p = resource.Properties;
      const attributes: Record<string, string> = {};
      const visibility = this.options.visibilityTimeoutSeconds ?? p.VisibilityTimeout;
      if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
      if (p.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
      if (p.RedrivePolicy) {
        const target = p.RedrivePolicy.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: target ? arnOf(target) : p.RedrivePolicy.deadLetterTargetArn,
          maxReceiveCount: String(p.RedrivePolicy.maxReceiveCount),
        });
      }
      const result = await this.sqs!.send(new CreateQueueCommand({ QueueName: p.QueueName, Attributes: attributes }));
      this.queueUrls.set(logicalId, result.QueueUrl!);
    }
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

  private context(functionName: string) {
    const deadline = Date.now() + (this.timeouts.get(functionName) ?? 6000);
    this.invocations.set(functionName, (this.invocations.get(functionName) ?? 0) + 1);
    return {
      functionName,
      functionVersion: '$LATEST',
      awsRequestId: randomUUID(),
      invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
      memoryLimitInMB: '512',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
  }

  private async poll(subscription: SqsSubscription): Promise<void> {
    const queueUrl = this.queueUrls.get(subscription.queueLogicalId)!;
    const handler = this.handlers.get(subscription.functionName)!;
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueUrl.split('/').pop()}`;
    while (this.running) {
      let messages: Message[] = [];
      try {
        const result = await this.sqs!.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: subscription.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = result.Messages ?? [];
      } catch (error) {
        if (this.running)
          this.log({
            level: 'error',
            message: 'receive failed',
            queue: subscription.queueLogicalId,
            error: String(error),
          });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!messages.length) continue;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body ?? '',
          attributes: m.Attributes ?? {},
          messageAttributes: m.MessageAttributes ?? {},
          md5OfBody: m.MD5OfBody,
          eventSource: 'aws:sqs',
          eventSourceARN: arn,
          awsRegion: REGION,
        })),
      };
      let failed: Set<string>;
      try {
        const result = (await handler(event, this.context(subscription.functionName))) as
          { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
        failed = new Set(
          subscription.reportsBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : [],
        );
      } catch (error) {
        // Like Lambda: an invocation error leaves the whole batch to reappear after the visibility timeout.
        this.log({
          level: 'error',
          message: 'invocation failed',
          function: subscription.functionName,
          error: String(error),
        });
        continue;
      }
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      try {
        for (let i = 0; i < done.length; i += 10) {
          await this.sqs!.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (error) {
        // As with Lambda, an undeleted message comes back after its visibility timeout; the consumer is idempotent.
        this.log({
          level: 'error',
          message: 'delete failed',
          queue: subscription.queueLogicalId,
          error: String(error),
        });
      }
    }
  }

  private async serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (url.pathname.startsWith('/_local/feishu/')) return await this.feishu.serve(req, res, '/_local/feishu');
      if (url.pathname === '/_local/outbox') {
        if (req.method === 'DELETE') this.feishu.outbox.length = 0;
        return send(
          res,
          200,
          { 'content-type': 'application/json; charset=utf-8' },
          JSON.stringify(this.feishu.outbox),
        );
      }
      if (url.pathname === '/_local/chat' && req.method === 'POST') return await this.chat(req, res);
      const route = this.routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (!route)
        return send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));

      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > API_GATEWAY_MAX_BODY)
          return send(
            res,
            413,
            { 'content-type': 'application/json' },
            JSON.stringify({ message: 'Request Entity Too Large' }),
          );
        chunks.push(chunk as Buffer);
      }
      const body = Buffer.concat(chunks);
      const match = route.pattern.exec(url.pathname)!;
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const textual = /json|text|xml|x-www-form-urlencoded/i.test(headers['content-type'] ?? 'application/json');
      const event = {
        version: '2.0',
        routeKey: `${route.method} ${route.path}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
        pathParameters: route.params.length
          ? Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(match[i + 1]!)]))
          : undefined,
        requestContext: {
          accountId: ACCOUNT,
          apiId: 'local',
          domainName: headers.host ?? '127.0.0.1',
          http: {
            method: route.method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: `${route.method} ${route.path}`,
          stage: '$default',
          time: new Date().toISOString(),
          timeEpoch: Date.now(),
        },
        body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: body.length > 0 && !textual,
      };
      const result = (await this.handlers.get(route.functionName)!(event, this.context(route.functionName))) as
        | { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }
        | string
        | undefined;
      // API Gateway's rule for payload 2.0: a result without statusCode is a 200 JSON body.
      if (typeof result !== 'object' || result === null || result.statusCode === undefined) {
        return send(
          res,
          200,
          { 'content-type': 'application/json' },
          typeof result === 'string' ? result : JSON.stringify(result ?? null),
        );
      }
      const payload =
        result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      return send(res, result.statusCode, result.headers ?? {}, payload);
    } catch (error) {
      this.log({ level: 'error', message: 'local runtime error', path: url.pathname, error: String(error) });
      return send(
        res,
        500,
        { 'content-type': 'application/json' },
        JSON.stringify({ message: 'Internal Server Error' }),
      );
    }
  }

  /**
   * Talks to the bot without Feishu: `{"text": "/status", "chatType"?: "p2p", "sender"?: "ou_…"}` becomes a signed,
   * encrypted `im.message.receive_v1` delivery to the webhook, and the bot's reply, once chatops has sent it, is
   * the answer. `serveHttp` handles the delivery like any other request.
   */
  private async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let request: { text?: unknown; chatType?: unknown; sender?: unknown };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return send(
        res,
        400,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: 'body is not JSON; send {"text": "/help"}' }),
      );
    }
    if (typeof request.text !== 'string' || !request.text.trim())
      return send(
        res,
        400,
        { 'content-type': 'application/json' },
        JSON.stringify({ error: 'text is required, e.g. {"text": "/help"}' }),
      );
    const app = {
      verificationToken: this.env.FEISHU_VERIFICATION_TOKEN!,
      encryptKey: this.env.FEISHU_ENCRYPT_KEY || undefined,
    };
    const event = textMessage({
      text: request.text,
      chatType: request.chatType === 'p2p' ? 'p2p' : 'group',
      senderOpenId: typeof request.sender === 'string' ? request.sender : undefined,
      botOpenId: LOCAL_BOT_OPEN_ID,
    });
    const { body, headers } = delivery(app, envelope(app, 'im.message.receive_v1', event));
    const answer = await fetch(`${this.url}/feishu/events`, { method: 'POST', headers, body });
    if (answer.status !== 200)
      return send(res, answer.status, { 'content-type': 'application/json' }, await answer.text());
    const replyPath = `/open-apis/im/v1/messages/${event.message.message_id}/reply`;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const reply = this.feishu.outbox.find((entry) => entry.path === replyPath);
      if (reply) {
        const { msg_type, content } = reply.body as { msg_type: string; content: string };
        return send(
          res,
          200,
          { 'content-type': 'application/json; charset=utf-8' },
          JSON.stringify({ messageId: event.message.message_id, msg_type, content: JSON.parse(content) }, null, 2),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return send(
      res,
      504,
      { 'content-type': 'application/json' },
      JSON.stringify({ error: 'no reply within 15 s; see the chatops log lines' }),
    );
  }

  private log(entry: Record<string, unknown>) {
    if (!this.options.quiet)
      console.error(JSON.stringify({ time: new Date().toISOString(), component: 'local-runtime', ...entry }));
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, headers);
  res.end(body);
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
