import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lambdaContext, type InvocationHooks, type LocalFunction } from './lambda.js';
import { ACCOUNT } from './provision.js';

/** API Gateway's own payload limit: larger requests never reach the function. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

interface HttpRoute {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  fn: LocalFunction;
}

/** Paths the gateway serves itself (the Feishu stand-in, the outbox, the chat driver); true when it answered. */
export type LocalPaths = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, headers);
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body));

/** The `httpApi` events of every function, as routes with their path parameters. */
export function httpRoutes(config: Record<string, any>, functions: Map<string, LocalFunction>): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      if (!event.httpApi) continue;
      const { method, path } = event.httpApi;
      const params: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/\{(\w+)\+?\}/g, (_: string, p: string) => (params.push(p), '([^/]+)'))}$`,
      );
      routes.push({ method: method.toUpperCase(), path, pattern, params, fn: functions.get(name)! });
    }
  }
  return routes;
}

/**
 * The HTTP API on one loopback port: each request to a route becomes an API Gateway HTTP API (payload 2.0) event
 * for its function, and the function's result becomes the response, by API Gateway's rules.
 */
export class HttpGateway {
  private server?: Server;

  constructor(
    private readonly routes: HttpRoute[],
    private readonly local: LocalPaths,
    private readonly hooks: InvocationHooks,
  ) {}

  async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // keep-alive clients would otherwise hold close() open
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      if (await this.local(req, res, url)) return;
      const route = this.routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (!route) return sendJson(res, 404, { message: 'Not Found' });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > API_GATEWAY_MAX_BODY) return sendJson(res, 413, { message: 'Request Entity Too Large' });
        chunks.push(chunk as Buffer);
      }
      let event: ReturnType<typeof this.event>;
      try {
        event = this.event(req, url, route, Buffer.concat(chunks));
      } catch (error) {
        // A path parameter such as %ZZ that is not valid percent-encoding: the client's mistake, not ours.
        if (error instanceof URIError) return sendJson(res, 400, { message: 'Bad Request: malformed URL encoding' });
        throw error;
      }
      const started = Date.now();
      const result = (await route.fn
        .handler(event, lambdaContext(route.fn))
        .finally(() => this.hooks.invoked(route.fn, { durationMs: Date.now() - started }))) as
        | { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }
        | string
        | undefined;
      // API Gateway's rule for payload 2.0: a result without statusCode is a 200 JSON body.
      if (typeof result !== 'object' || result === null || result.statusCode === undefined) {
        const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
        return send(res, 200, { 'content-type': 'application/json' }, text);
      }
      const body =
        result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      return send(res, result.statusCode, result.headers ?? {}, body);
    } catch (error) {
      this.hooks.log({ level: 'error', message: 'local runtime error', path: url.pathname, error: String(error) });
      return sendJson(res, 500, { message: 'Internal Server Error' });
    }
  }

  private event(req: IncomingMessage, url: URL, route: HttpRoute, body: Buffer) {
    const match = route.pattern.exec(url.pathname)!;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const textual = /json|text|xml|x-www-form-urlencoded/i.test(headers['content-type'] ?? 'application/json');
    const routeKey = `${route.method} ${route.path}`;
    return {
      version: '2.0',
      routeKey,
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
        routeKey,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
      },
      body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
      isBase64Encoded: body.length > 0 && !textual,
    };
  }
}
