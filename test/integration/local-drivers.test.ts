import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../infra/local/runtime.js';

/**
 * What `npm start` gives someone trying OpenClaw on their machine: the shell's LLM settings reach the functions, and
 * the local drivers talk to the bot as Feishu would.
 */
let runtime: LocalRuntime;
let llm: Server;
const llmRequests: { authorization?: string; body: { model: string; messages: { content: string }[] } }[] = [];
const dir = mkdtempSync(join(tmpdir(), 'openclaw-drivers-'));

beforeAll(async () => {
  // A loopback stand-in for an OpenAI-compatible server (Ollama, vLLM …): one chat completion per question.
  llm = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    llmRequests.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'c1',
        object: 'chat.completion',
        created: 0,
        model: 'qwen2.5',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '先清理旧日志 [1]。' } }],
      }),
    );
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  const shellEnv = {
    LLM_BASE_URL: `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`,
    LLM_MODEL: 'qwen2.5',
    LLM_API_KEY: 'local-key',
  };
  runtime = await new LocalRuntime({ quiet: true, shellEnv }).start();
});
afterAll(async () => {
  await runtime?.stop();
  await new Promise<void>((resolve) => (llm ? llm.close(() => resolve()) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const local = async (path: string, body?: object) => {
  const response = await fetch(`${runtime.url}${path}`, {
    method: body ? 'POST' : 'GET',
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined,
  };
};

describe("the shell's LLM settings", () => {
  it('reach the functions and .data/local.env, and the model at LLM_BASE_URL writes the answer', async () => {
    expect(runtime.env).toMatchObject({ LLM_MODEL: 'qwen2.5', LLM_API_KEY: 'local-key' });
    expect(process.env.LLM_BASE_URL).toBe(runtime.env.LLM_BASE_URL);
    const envFile = join(dir, 'local.env');
    runtime.writeEnvFile(envFile);
    expect(readFileSync(envFile, 'utf8')).toContain(`export LLM_BASE_URL='${runtime.env.LLM_BASE_URL}'`);

    const answer = await local('/_local/chat', { text: '磁盘满了怎么清理', chatType: 'p2p' });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body.content)).toContain('先清理旧日志');
    expect(llmRequests).toHaveLength(1);
    expect(llmRequests[0]).toMatchObject({ authorization: 'Bearer local-key', body: { model: 'qwen2.5' } });
  });
});
