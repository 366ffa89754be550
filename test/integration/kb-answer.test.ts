import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerFrom } from '../../lib/kb/answer.js';
import { embeddedKnowledgeBase } from '../../lib/kb/embedded.js';
import { articleFromMarkdown } from '../../lib/kb/markdown.js';
import { openAiEmbedder } from '../../lib/kb/embeddings.js';
import { openAiModel } from '../../lib/kb/openai-model.js';
import { answerCard } from '../../lib/chatops/commands/kb.js';
import { chatCompletion } from '../support/chat-completion.js';

/** Answers through the real `openai` client against a loopback stand-in of the chat completions API. */
let server: Server;
let baseURL: string;
const requests: { path: string; authorization?: string; body: any }[] = [];
let behaviour: 'answer' | 'fail' | 'slow' = 'answer';

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    if (behaviour === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: { message: 'upstream overloaded', type: 'server_error' } }));
    }
    if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 1500));
    if (req.url === '/v1/embeddings') {
      const input = requests.at(-1)!.body.input as string[];
      res.writeHead(200, { 'content-type': 'application/json' });
      // Out of order on purpose: the adapter must put vectors back in the order of the texts.
      return res.end(
        JSON.stringify({
          object: 'list',
          model: 'emb',
          data: input.map((_, i) => ({ object: 'embedding', index: i, embedding: [i, 0.5, 0.25] })).reverse(),
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const answer = '先在主库找出大事务并拆小 [1]，同时暂停从库上的备份 [1]。资料中没有的参数不要改 [7]。';
    res.end(JSON.stringify(chatCompletion('test-model', answer)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
  behaviour = 'answer';
});

async function knowledge() {
  const kb = embeddedKnowledgeBase();
  await kb.upsert(
    articleFromMarkdown(
      'mysql-lag',
      '---\ntitle: MySQL 从库复制延迟\n---\n\n## 处理\n\n找到主库上的大事务并拆成小批次；暂停从库上的备份。\n',
      'https://wiki.example.com/mysql-lag',
    ),
  );
  return kb;
}

describe('answers from the knowledge base', () => {
  it('asks the model with the numbered sections and keeps only citations of real sources', async () => {
    const model = openAiModel({ baseURL, model: 'test-model', apiKey: 'sk-test', timeoutMs: 1000 });
    const answer = await answerFrom('从库延迟怎么处理', await knowledge(), model);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      authorization: 'Bearer sk-test',
      body: { model: 'test-model', temperature: 0.2 },
    });
    const [system, user] = requests[0]!.body.messages;
    expect(system.content).toContain('只根据下面编号的资料回答');
    expect(user.content).toMatch(/\[1\] MySQL 从库复制延迟 \/ 处理\n找到主库上的大事务/);
    expect(user.content).toContain('问题：从库延迟怎么处理');
    expect(answer.text).toBe('先在主库找出大事务并拆小 [1]，同时暂停从库上的备份 [1]。资料中没有的参数不要改 。');
    const card = JSON.stringify(answerCard('从库延迟怎么处理', answer));
    expect(card).toContain(
      '[1] MySQL 从库复制延迟 · 处理 — [https://wiki.example.com/mysql-lag](https://wiki.example.com/mysql-lag)',
    );
  });

  it('retries a failing model once, then answers with the passages and says why', async () => {
    behaviour = 'fail';
    const answer = await answerFrom(
      '从库延迟怎么处理',
      await knowledge(),
      openAiModel({ baseURL, model: 'm', apiKey: 'k', timeoutMs: 1000 }),
    );
    expect(requests).toHaveLength(2);
    expect(answer.text).toBeUndefined();
    expect(answer.note).toMatch(/^大模型调用失败（.*500.*），以下是处理手册中最相关的段落$/);
    expect(answer.sources[0]!.articleId).toBe('mysql-lag');
  });

  it('gives up on a model slower than its timeout and still answers', async () => {
    behaviour = 'slow';
    const started = Date.now();
    const answer = await answerFrom(
      '从库延迟怎么处理',
      await knowledge(),
      openAiModel({ baseURL, model: 'm', apiKey: 'k', timeoutMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(1400 * 2);
    expect(answer.note).toMatch(/大模型调用失败/);
  });

  it('without a model, says so and gives the passages', async () => {
    const answer = await answerFrom('从库延迟怎么处理', await knowledge(), undefined);
    expect(answer).toMatchObject({
      note: '未配置大模型，以下是处理手册中最相关的段落',
      sources: [{ articleId: 'mysql-lag' }],
    });
  });
});

describe('embeddings for hybrid search', () => {
  it('asks the embeddings endpoint and returns vectors in the order of the texts, of the expected size', async () => {
    const embedder = openAiEmbedder({ baseURL, apiKey: 'sk-test', model: 'emb', dimensions: 3 });
    expect(await embedder.embed(['a', 'b'])).toEqual([
      [0, 0.5, 0.25],
      [1, 0.5, 0.25],
    ]);
    expect(requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model: 'emb', input: ['a', 'b'] } });
    await expect(openAiEmbedder({ baseURL, apiKey: 'k', model: 'emb', dimensions: 1536 }).embed(['a'])).rejects.toThrow(
      'embedding has 3 dimensions, the index expects 1536',
    );
  });
});
