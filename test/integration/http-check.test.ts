import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/peers.js';
import type { Inventory } from '../../lib/automation/config.js';
import { httpCheckExecutor } from '../../lib/automation/executors/http.js';
import { recordingLogger } from '../unit/fakes/logger.js';

/** http_check against a loopback server: the summary people read is Chinese, whatever went wrong. */
let server: Server;
let inventory: Inventory;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 503);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const check = (url: string) => ({ url, environment: 'staging', expectStatus: 200, timeout: 2 });
  inventory = {
    hosts: {},
    clusters: {},
    deployments: {},
    logs: { environment: 'staging', index: 'logs-*' },
    checks: {
      healthy: check(`${base}/healthz`),
      failing: check(`${base}/broken`),
      closed: check(`http://127.0.0.1:${await freePort()}/healthz`),
    },
  };
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const run = (check: string) =>
  httpCheckExecutor(inventory)(
    { check },
    { log: recordingLogger(), progress: async () => {}, deadline: Date.now() + 5_000 },
  );

describe('http_check', () => {
  it('reports the status and time, and a refused connection in Chinese with the detail in the output', async () => {
    expect(await run('healthy')).toMatchObject({
      ok: true,
      summary: expect.stringMatching(/^healthy：HTTP 200，耗时 \d+ ms$/),
    });
    expect(await run('failing')).toMatchObject({ ok: false, summary: expect.stringContaining('HTTP 503（期望 200）') });
    const closed = await run('closed');
    expect(closed).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/^closed：请求失败（连接被拒绝），耗时 \d+ ms$/),
    });
    expect(closed.output).toMatch(/fetch failed: connect ECONNREFUSED/);
  });

  it('refuses a check the inventory does not list, in both languages', async () => {
    await expect(run('nowhere')).rejects.toMatchObject({
      userMessage: '健康检查 nowhere 不在清单中',
      message: 'check nowhere is not in the inventory',
    });
  });
});
