import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import { cardButtons } from '../../infra/local/outbox-view.js';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { chatCompletion } from '../support/chat-completion.js';
import { waitFor } from '../support/wait.js';

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
    res.end(JSON.stringify(chatCompletion('qwen2.5', '先清理旧日志 [1]。')));
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

/** Fires a warning for mysql and waits for its incident's card in the database route's chat. */
async function chatCard(name: string): Promise<OutboxEntry> {
  const alert = { name, severity: 'warning', service: 'mysql', host: 'db-1', summary: '/data 使用率 97%' };
  const response = await fetch(`${runtime.url}/alerts/generic`, {
    method: 'POST',
    headers: { authorization: 'Bearer local-dev-token', 'content-type': 'application/json' },
    body: JSON.stringify(alert),
  });
  expect(response.status).toBe(202);
  return waitFor(
    () =>
      runtime.outbox.find(
        (entry) =>
          entry.path.includes('receive_id_type=chat_id') && (entry.body as { content: string }).content.includes(name),
      ),
    `the chat card of ${name}`,
  );
}

const contentOf = (entry: OutboxEntry) => JSON.parse((entry.body as { content: string }).content);

describe('POST /_local/card', () => {
  it('clicks a button by its label on the card as it is now; a click that comes second is told who was first', async () => {
    const card = await chatCard('DriverAck');
    const ack = await local('/_local/card', { messageId: card.messageId, button: '确认', operator: 'ou_sre_lina' });
    expect(ack.status).toBe(200);
    expect(ack.body.toast).toEqual({ type: 'success', content: '已确认：重复提醒和升级已停止' });
    expect(JSON.stringify(ack.body.card.data)).toContain('<at id=ou_sre_lina></at>');

    // The card now shown has no 确认; a click from an older view of it sends the button's value as it was.
    await waitFor(
      () => runtime.outbox.some((e) => e.method === 'PATCH' && e.path.endsWith(card.messageId!)),
      'the card patched',
    );
    expect(await local('/_local/card', { messageId: card.messageId, button: '确认' })).toMatchObject({
      status: 404,
      body: { error: `card ${card.messageId} has no button "确认"; its buttons: 解决, 静默 1 小时` },
    });
    const stale = cardButtons(contentOf(card)).find((button) => button.label === '确认');
    const late = await local('/_local/card', { value: stale!.value, operator: 'ou_sre_wangqiang' });
    expect(late.body.toast).toMatchObject({
      type: 'info',
      content: expect.stringMatching(/^该事件已由李娜于 .* 确认$/),
    });

    expect((await local('/_local/card', { button: '确认' })).status).toBe(400);
    expect((await local('/_local/card', { value: 'ack' })).status).toBe(400);
    expect((await local('/_local/card', { messageId: 'om_nowhere', button: '确认' })).status).toBe(404);
  });
});

describe('a reply in a thread through POST /_local/chat', () => {
  it('answers the note prompt under a card resolved from its button with a runbook draft, which its button saves', async () => {
    const card = await chatCard('DriverNote');
    const resolved = await local('/_local/card', { messageId: card.messageId, button: '解决' });
    expect(resolved.body.toast.type).toBe('success');
    const prompt = await waitFor(
      () => runtime.outbox.find((e) => e.path === `/open-apis/im/v1/messages/${card.messageId}/reply`),
      'the note prompt in the card thread',
    );
    const note = await local('/_local/chat', {
      text: '清理了 /data 下 7 天前的 binlog',
      parentId: prompt.messageId,
      rootId: card.messageId,
    });
    expect(note.status).toBe(200);
    expect(JSON.stringify(note.body.content)).toContain('处理记录草稿：DriverNote（mysql）处理记录');
    const draft = runtime.outbox.find((e) => e.path === `/open-apis/im/v1/messages/${note.body.messageId}/reply`)!;
    const save = await local('/_local/card', { messageId: draft.messageId, button: '保存到知识库' });
    expect(save.body.toast).toEqual({ type: 'info', content: '正在保存到知识库…' });
    await waitFor(
      () =>
        runtime.outbox.some(
          (e) =>
            e.method === 'PATCH' &&
            e.path.endsWith(draft.messageId!) &&
            (e.body as { content: string }).content.includes('已保存到知识库'),
        ),
      'the draft card marked saved',
    );
  });
});

describe('GET /_local/outbox', () => {
  it('format=decoded parses message content; format=text shows each call as a person reads it', async () => {
    const card = await chatCard('DriverOutbox');
    const decoded = await local('/_local/outbox?format=decoded');
    const sent = decoded.body.find((entry: OutboxEntry) => entry.messageId === card.messageId);
    expect(sent.body.content).toMatchObject({ header: { title: { content: '[警告] DriverOutbox' } } });
    expect((await local('/_local/outbox?last=1')).body).toHaveLength(1);

    const text = (await local('/_local/outbox?format=text')).text;
    const index = runtime.outbox.indexOf(card) + 1;
    const incidentId = cardButtons(contentOf(card)).find((button) => button.value)!.value as { incidentId: string };
    expect(text).toContain(
      [
        `#${index} ${card.at.slice(11, 23)} POST /open-apis/im/v1/messages?receive_id_type=chat_id → 200 ${card.messageId}`,
        '    to oc_dba',
        `    card [orange] [警告] DriverOutbox · 事件 ${incidentId.incidentId}`,
        '    服务：mysql',
      ].join('\n'),
    );
    expect(text).toContain(`    🟠 DriverOutbox · host=db-1 · /data 使用率 97%`);
    expect(text).toContain(`    [确认] {"action":"ack","incidentId":"${incidentId.incidentId}"}`);
    expect(text).not.toMatch(/&#\d+;|\\"|tenant_access_token/);
    expect((await local('/_local/outbox?format=yaml')).status).toBe(400);
  });
});

describe('an action that cannot run for want of a setting', () => {
  it('says why on its card in Chinese, with nothing in English', async () => {
    const asked = await local('/_local/chat', { text: '/restart nginx staging-web-01', chatType: 'p2p' });
    expect(asked.status).toBe(200);
    const failed = await waitFor(
      () =>
        runtime.outbox.find(
          (e) => e.method === 'PATCH' && (e.body as { content: string }).content.includes('[失败] 重启服务'),
        ),
      'the request card marked failed',
    );
    const card = JSON.stringify(contentOf(failed));
    expect(card).toContain('**结果**：未配置 SSH 私钥（密钥 SSH&#95;PRIVATE&#95;KEY），无法登录主机');
    expect(card).not.toMatch(/not configured|secret/);
  });
});
