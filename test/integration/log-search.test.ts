import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoLogs } from '../../infra/local/demo-logs.js';
import { checkLogs } from '../../lib/automation/actions.js';
import { checkLogsExecutor } from '../../lib/automation/executors/logs.js';
import { fileLogSearch, openSearchLogSearch } from '../../lib/automation/executors/log-search.js';
import { openSearchClient } from '../../lib/root/opensearch.js';
import { recordingLogger } from '../unit/fakes/logger.js';

/** check_logs through the real OpenSearch client against a loopback stand-in that records the searches it gets. */
let server: Server;
let url: string;
const searches: { path: string; body: any }[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    searches.push({
      path: `${req.method} ${req.url}`,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
    });
    const hits = [
      {
        _source: {
          '@timestamp': '2026-11-24T03:04:00.000Z',
          service: 'payments',
          level: 'error',
          host: { name: 'pay-2' },
          message: 'charge failed: deadline exceeded',
        },
      },
      {
        _source: {
          '@timestamp': '2026-11-24T03:01:00.000Z',
          service: 'payments',
          level: 'info',
          host: 'pay-1',
          message: 'GET /healthz 200',
        },
      },
    ];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ took: 3, timed_out: false, hits: { total: { value: 2, relation: 'eq' }, hits } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const context = () => ({ log: recordingLogger(), progress: async () => undefined, deadline: Date.now() + 10_000 });

describe('check_logs', () => {
  it('asks OpenSearch for a term on the service, a time range and newest first, and prints oldest to newest', async () => {
    const search = openSearchLogSearch(await openSearchClient({ url }), { index: 'logs-*' });
    const outcome = await checkLogsExecutor(search)(
      checkLogs.args.parse({ service: 'payments', since: '30m', limit: 20 }),
      context(),
    );
    expect(searches).toHaveLength(1);
    expect(searches[0]!.path).toMatch(/^POST \/logs-\*\/_search/);
    const body = searches[0]!.body;
    expect(body.size).toBe(20);
    expect(body.sort).toEqual([{ '@timestamp': { order: 'desc' } }]);
    expect(body.query.bool.filter[0]).toEqual({ term: { service: 'payments' } });
    const since = Date.parse(body.query.bool.filter[1].range['@timestamp'].gte);
    expect(Math.abs(Date.now() - 30 * 60_000 - since)).toBeLessThan(5_000);
    expect(outcome).toMatchObject({
      ok: true,
      summary: 'payments 最近 30m 内 2 行日志（其中错误 1 行），最新的在最后',
    });
    expect(outcome.output.split('\n')).toEqual([
      '2026-11-24T03:01:00.000Z INFO  [pay-1] GET /healthz 200',
      '2026-11-24T03:04:00.000Z ERROR [pay-2] charge failed: deadline exceeded',
    ]);
  });

  it('reads the local demo lines the same way: one service, the window, the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-logs-'));
    try {
      writeDemoLogs(join(dir, 'logs.jsonl'));
      const search = fileLogSearch(join(dir, 'logs.jsonl'));
      const lines = await search.recent('payments', new Date(Date.now() - 5 * 60_000), 3);
      expect(lines.map((line) => line.message)).toEqual([
        'circuit breaker bank-gateway CLOSED',
        'circuit breaker bank-gateway HALF_OPEN',
        'circuit breaker bank-gateway OPEN after 5 consecutive failures',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says plainly when no log backend is configured', async () => {
    expect(await checkLogsExecutor(undefined)(checkLogs.args.parse({ service: 'payments' }), context())).toMatchObject({
      ok: false,
      summary: '日志后端未配置（OPENSEARCH_URL）',
    });
  });
});
