import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/peers.js';
import { LocalRuntime, projectRoot } from '../../infra/local/runtime.js';

/** The knowledge base API through the local runtime, and `npm run kb:import` against it. */
const token = 'kb-token';
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await new LocalRuntime({ quiet: true, pollers: 0, alertToken: token }).start();
});
afterAll(async () => {
  await runtime?.stop();
});

const call = async (method: string, path: string, body?: unknown, auth = `Bearer ${token}`) => {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
};

describe('the knowledge base API', () => {
  it('starts with the demo runbooks and finds them in Chinese and English', async () => {
    const zh = await call('GET', `/kb/search?q=${encodeURIComponent('从库复制延迟怎么处理')}&size=3`);
    expect(zh.status).toBe(200);
    expect(zh.body.hits[0]).toMatchObject({
      articleId: 'mysql-replication-lag',
      title: 'MySQL 从库复制延迟',
      source: 'demo-runbooks/mysql-replication-lag.md',
    });
    const en = await call('GET', '/kb/search?q=pod%20keeps%20restarting%20exit%20code%20137');
    expect(en.body.hits[0]).toMatchObject({ articleId: 'kubernetes-crashloopbackoff' });
  });

  it('creates, replaces and returns an article by id', async () => {
    const article = {
      id: 'kafka-lag',
      title: 'Kafka 消费积压',
      body: '## 处理\n\n扩容消费者，检查 rebalance。',
      tags: ['kafka'],
    };
    expect(await call('POST', '/kb/articles', article)).toMatchObject({
      status: 201,
      body: { id: 'kafka-lag', sections: 1, created: true },
    });
    expect(await call('POST', '/kb/articles', { ...article, body: '## 处理\n\n先看 consumer lag。' })).toMatchObject({
      status: 200,
      body: { created: false },
    });
    expect((await call('GET', '/kb/articles/kafka-lag')).body).toMatchObject({
      id: 'kafka-lag',
      title: 'Kafka 消费积压',
      body: expect.stringContaining('consumer lag'),
      tags: ['kafka'],
    });
    expect((await call('GET', `/kb/search?q=${encodeURIComponent('kafka 消费积压')}`)).body.hits[0].articleId).toBe(
      'kafka-lag',
    );
  });

  it('answers 400 naming every bad field, 401 without the token, 404 for an unknown article', async () => {
    const bad = await call('POST', '/kb/articles', { id: 'Bad Id', title: '', body: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'id', 'title']);
    expect((await call('GET', '/kb/search')).status).toBe(400);
    expect((await call('GET', '/kb/search?q=disk', undefined, 'Bearer wrong')).status).toBe(401);
    expect((await call('GET', '/kb/articles/nope')).status).toBe(404);
    // Not valid percent-encoding: the client's mistake, answered 400 by the gateway, not a 500.
    expect(await call('GET', '/kb/articles/%ZZ')).toMatchObject({
      status: 400,
      body: { message: 'Bad Request: malformed URL encoding' },
    });
  });

  it('takes an article of up to 200,000 characters and answers 400 naming the body for a longer one', async () => {
    const runbook =
      '## 排查\n\n' + '检查磁盘使用率和 inode，清理 /var/log 下的旧日志，确认 logrotate 生效。'.repeat(5_000);
    const body = runbook.slice(0, 200_000);
    expect(await call('POST', '/kb/articles', { id: 'long-runbook', title: '很长的手册', body })).toMatchObject({
      status: 201,
    });
    expect(await call('POST', '/kb/articles', { id: 'too-long', title: '太长', body: `${body}。` })).toMatchObject({
      status: 400,
      body: { error: 'invalid article: body: at most 200,000 characters of markdown' },
    });
  });

  it('kb:import loads a folder idempotently: new articles the first time, updates the second', async () => {
    // The project's own runbooks, in a folder of folders: ids come from the path under the imported folder.
    const folder = mkdtempSync(join(tmpdir(), 'openclaw-import-'));
    cpSync(join(projectRoot, 'infra', 'local', 'demo-runbooks'), join(folder, 'ops'), { recursive: true });
    const run = (options: string[], env: Record<string, string> = {}) =>
      promisify(execFile)('npx', ['tsx', 'infra/tools/kb-import.ts', folder, '--token', token, ...options], {
        cwd: projectRoot,
        env: { ...process.env, ...env },
      });
    try {
      expect((await run(['--url', runtime.url])).stdout).toMatch(/imported 6 of 6 articles .*: 6 new, 0 updated/);
      // Without --url it goes where npm start listens: PORT.
      const again = await run([], { PORT: String(runtime.port) });
      expect(again.stdout).toContain(`imported 6 of 6 articles from ${folder} into ${runtime.url}: 0 new, 6 updated`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const hit = (await call('GET', `/kb/search?q=${encodeURIComponent('redis 碎片率高')}`)).body.hits[0];
    expect(hit).toMatchObject({ articleId: 'ops-redis-memory-high', source: 'ops/redis-memory-high.md' });
  });

  it('kb:import names the URL it could not reach, and asks whether npm start runs when it is refused', async () => {
    const closed = await freePort();
    const failed = await promisify(execFile)('npx', ['tsx', 'infra/tools/kb-import.ts', 'infra/local/demo-runbooks'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: String(closed) },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        `cannot reach http://127.0.0.1:${closed}/kb/articles: connection refused: is \`npm start\` running?`,
      ),
    });
  });
});
