import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { chatCompletion } from '../support/chat-completion.js';
import { localAlerts } from '../support/local-alerts.js';
import { waitFor } from '../support/wait.js';

/**
 * A model's proposal through the local runtime: with LLM_* set in the shell (as `npm start` reads them), an incident
 * whose runbook suggests nothing gets one proposal from an OpenAI-compatible stand-in, checked against the registry
 * and the inventory, and its card offers it; nothing runs by itself.
 */
const alertToken = 'proposal-token';
let runtime: LocalRuntime;
let llm: Server;
const proposalsAsked: string[] = [];

beforeAll(async () => {
  llm = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { messages: { content: string }[] };
    const asking = body.messages[0]!.content.includes('可用操作');
    if (asking) proposalsAsked.push(body.messages[1]!.content);
    const answer = asking
      ? '{"action":"diagnose_host","args":{"host":"web-01"},"reason":"延迟来源不明，先看主机负载和磁盘"}'
      : '不知道。';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chatCompletion('qwen2.5', answer)));
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  const shellEnv = {
    LLM_BASE_URL: `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`,
    LLM_MODEL: 'qwen2.5',
    LLM_API_KEY: 'local-key',
  };
  runtime = await new LocalRuntime({ quiet: true, alertToken, shellEnv }).start();
});
afterAll(async () => {
  await runtime?.stop();
  await new Promise<void>((resolve) => (llm ? llm.close(() => resolve()) : resolve()));
});

const { post, content } = localAlerts(() => runtime, alertToken);

describe("a model's proposed action", () => {
  it('is asked for once, checked, and offered on the card as a suggestion that never runs by itself', async () => {
    const fired = await post({
      name: 'MysteryLatency',
      severity: 'warning',
      service: 'web',
      host: 'web-01',
      summary: 'p99 翻倍',
    });
    expect(fired.status).toBe(202);
    const offered = await waitFor(
      () =>
        runtime.outbox.find(
          (e) => e.method === 'PATCH' && content(e).includes('MysteryLatency') && content(e).includes('执行建议操作'),
        ),
      'the card offering the proposal',
      { timeoutMs: 20_000 },
    );
    expect(content(offered)).toContain('主机诊断 host=web-01（模型建议：延迟来源不明，先看主机负载和磁盘');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(proposalsAsked.filter((asked) => asked.includes('MysteryLatency'))).toHaveLength(1);
    // Offered, not run: no request was made for it.
    expect(
      runtime.outbox.some((e) => content(e).includes('[排队中] 主机诊断') || content(e).includes('[成功] 主机诊断')),
    ).toBe(false);
  });
});
