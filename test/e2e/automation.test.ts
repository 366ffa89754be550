import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardClick, delivery, envelope, textMessage, type FeishuApp } from '../../infra/local/feishu-events.js';
import { LOCAL_BOT_OPEN_ID, type OutboxEntry } from '../../infra/local/feishu-standin.js';
import { LOCAL_ENCRYPT_KEY, LOCAL_VERIFICATION_TOKEN, LocalRuntime, projectRoot } from '../../infra/local/runtime.js';
import { localAlerts } from '../support/local-alerts.js';
import { TestSshd } from '../support/sshd.js';
import { waitFor } from '../support/wait.js';

/**
 * Automation through the whole local platform: a chat command → webhook → chatops (RBAC, approval) → approval card
 * → 批准 click → automation-runner → ssh2 → a real sshd whose systemctl records the call → the progress card.
 */
const app: FeishuApp = { verificationToken: LOCAL_VERIFICATION_TOKEN, encryptKey: LOCAL_ENCRYPT_KEY };
const { post, sends } = localAlerts(() => runtime, 'heal-token');
let sshd: TestSshd;
let runtime: LocalRuntime;
let configDir: string;

beforeAll(async () => {
  sshd = await new TestSshd().start();
  configDir = mkdtempSync(join(tmpdir(), 'openclaw-config-'));
  for (const file of ['routing.yaml', 'oncall.yaml'])
    copyFileSync(join(projectRoot, 'config', file), join(configDir, file));
  // The shipped rules, with a verification window short enough to watch.
  writeFileSync(
    join(configDir, 'automation.yaml'),
    readFileSync(join(projectRoot, 'config', 'automation.yaml'), 'utf8').replace(
      'verify: { within: 5m }',
      'verify: { within: 1s }',
    ),
  );
  const host = (environment: string) =>
    `{ address: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, environment: ${environment}, hostKey: '${sshd.hostKeyFingerprint}', units: [nginx] }`;
  writeFileSync(
    join(configDir, 'inventory.yaml'),
    `hosts:\n  web-01: ${host('prod')}\n  staging-web-01: ${host('staging')}\nlogs: { environment: prod }\n`,
  );
  runtime = await new LocalRuntime({
    quiet: true,
    alertToken: 'heal-token',
    visibilityTimeoutSeconds: 5,
    env: { CONFIG_DIR: configDir, SSH_PRIVATE_KEY: sshd.clientKey },
  }).start();
});
afterAll(async () => {
  await runtime?.stop();
  await sshd?.stop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

async function feishu(payload: object) {
  const { body, headers } = delivery(app, payload);
  const response = await fetch(`${runtime.url}/feishu/events`, { method: 'POST', headers, body });
  return (await response.json()) as Record<string, any>;
}

const cardText = (entry: OutboxEntry) => JSON.stringify(JSON.parse((entry.body as { content: string }).content));
/** The first card sent (not a patch) whose text says all of `texts`. */
const sentCard = (...texts: string[]) => sends().find((e) => texts.every((text) => cardText(e).includes(text)));

/** Sends a command and returns the reply (the request's progress card, or a text refusal). */
async function command(text: string, sender: string) {
  const event = textMessage({ text, botOpenId: LOCAL_BOT_OPEN_ID, senderOpenId: sender, chatId: 'oc_ops_alerts' });
  await feishu(envelope(app, 'im.message.receive_v1', event));
  const reply = await waitFor(
    () => runtime.outbox.find((e) => e.path === `/open-apis/im/v1/messages/${event.message.message_id}/reply`),
    `the reply to ${text}`,
  );
  return { reply, messageId: reply.messageId!, text: cardText(reply) };
}

const latestCard = (messageId: string, reply: OutboxEntry) => {
  const patches = runtime.outbox.filter(
    (e) => e.method === 'PATCH' && e.path === `/open-apis/im/v1/messages/${messageId}`,
  );
  return cardText(patches.at(-1) ?? reply);
};

describe('automation from chat', () => {
  it('a prod restart waits for a second person, runs over SSH once approved, and ends 成功 on the same card', async () => {
    const before = sshd.calls().length;
    const { reply, messageId, text } = await command('/restart nginx web-01', 'ou_sre_lina');
    expect(text).toContain('[待审批] 重启服务');
    const requestId = /请求 ID\*\*：([0-9a-f]+)/.exec(text)?.[1];
    expect(requestId).toBeDefined();
    const approvalCards = await waitFor(() => {
      const sent = sends().filter((e) => cardText(e).includes('"action":"approve"'));
      return sent.length >= 2 && sent;
    }, 'approval cards to the approvers');
    expect(approvalCards.map((e) => (e.body as { receive_id: string }).receive_id).sort()).toEqual([
      'ou_pay_chenjing',
      'ou_sre_zhangwei',
    ]);

    const own = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick({ action: 'approve', requestId }, { operatorOpenId: 'ou_sre_lina' }),
      ),
    );
    expect(own.toast.content).toMatch(/不能审批自己/);
    expect(sshd.calls().length).toBe(before);

    const approved = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick({ action: 'approve', requestId }, { operatorOpenId: 'ou_sre_zhangwei' }),
      ),
    );
    expect(approved.toast).toEqual({ type: 'success', content: '已批准，开始执行' });
    await waitFor(() => latestCard(messageId, reply).includes('[成功] 重启服务'), 'the progress card to say 成功', {
      describe: () => latestCard(messageId, reply),
    });
    expect(sshd.calls().slice(before)).toEqual([
      ['restart', 'nginx'],
      ['is-active', 'nginx'],
    ]);
    const done = latestCard(messageId, reply);
    expect(done).toContain('已重启 nginx（web-01），服务运行中');
    expect(done).toMatch(/审批人\*\*：<at id=ou_sre_zhangwei>/);
  });

  it('staging runs without approval; a failed restart ends 失败 with systemctl’s message', async () => {
    sshd.setUnit('nginx', { restartFails: true });
    const { reply, messageId } = await command('/restart nginx staging-web-01', 'ou_sre_lina');
    await waitFor(() => latestCard(messageId, reply).includes('[失败] 重启服务'), 'the card to say 失败', {
      describe: () => latestCard(messageId, reply),
    });
    sshd.setUnit('nginx', { restartFails: false });
    expect(latestCard(messageId, reply)).toContain('Job for nginx.service failed.');
  });

  it('/logs shows a service’s recent lines on the card, without approval (read-only)', async () => {
    const { reply, messageId } = await command('/logs payments 15m', 'ou_pay_liuyang');
    await waitFor(() => latestCard(messageId, reply).includes('[成功] 查看日志'), 'the logs card', {
      describe: () => latestCard(messageId, reply),
    });
    expect(latestCard(messageId, reply)).toContain('circuit breaker bank-gateway OPEN');
  });

  it('/diagnose looks at a prod host over SSH without approval (read-only), and sums it up on its card', async () => {
    sshd.failedUnits([]);
    const { reply, messageId } = await command('/diagnose web-01', 'ou_pay_liuyang');
    await waitFor(() => latestCard(messageId, reply).includes('[成功] 主机诊断'), 'the diagnosis card', {
      describe: () => latestCard(messageId, reply),
    });
    const card = latestCard(messageId, reply);
    expect(card).toMatch(/web-01：负载 [\d.]+，磁盘最满/);
    expect(card).toContain('失败单元 0 个');
    expect(card).not.toContain('审批');
  });

  it('someone without the role is told why, and nothing runs', async () => {
    const before = sshd.calls().length;
    const { text } = await command('/restart nginx web-01', 'ou_pay_liuyang');
    expect(text).toMatch(/无法执行：没有在 prod 执行 restart_service 的权限/);
    expect(sshd.calls().length).toBe(before);
  });

  it('an admin can verify the audit chain from chat, others cannot', async () => {
    expect((await command('/audit verify', 'ou_sre_zhangwei')).text).toMatch(/审计日志完整：共 \d+ 条记录/);
    expect((await command('/audit verify', 'ou_sre_lina')).text).toMatch(/只有管理员/);
  });
});

describe('诊断 on an incident card', () => {
  it("looks at the alert's inventory host for whoever clicks, through the gate, and answers under the card", async () => {
    const response = await post({
      name: 'DiskAlmostFull',
      severity: 'warning',
      service: 'web',
      host: 'web-01',
      summary: '/ 92%',
    });
    expect(response.status).toBe(202);
    const card = await waitFor(() => sentCard('DiskAlmostFull', '诊断 web-01'), 'the incident card with 诊断');
    const incidentId = /"action":"diagnose","incidentId":"([0-9a-f]{12})"/.exec(
      (card.body as { content: string }).content,
    )![1]!;
    const click = cardClick(
      { action: 'diagnose', incidentId },
      { operatorOpenId: 'ou_pay_liuyang', messageId: card.messageId, chatId: 'oc_ops_alerts' },
    );
    const answer = await feishu(envelope(app, 'card.action.trigger', click));
    expect(answer.toast).toEqual({ type: 'info', content: '已提交主机诊断，结果会回复在卡片下' });
    const reply = await waitFor(
      () => runtime.outbox.find((e) => e.path === `/open-apis/im/v1/messages/${card.messageId}/reply`),
      'the diagnosis under the card',
    );
    await waitFor(() => latestCard(reply.messageId!, reply).includes('[成功] 主机诊断'), 'the diagnosis done', {
      describe: () => latestCard(reply.messageId!, reply),
    });
    expect(latestCard(reply.messageId!, reply)).toMatch(/web-01：负载/);
  });
});

describe("a runbook's suggested action", () => {
  it('shows on the card of an alert it matches, and runs through the gate after approval when someone presses 执行', async () => {
    const runbook = await fetch(`${runtime.url}/kb/articles`, {
      method: 'POST',
      headers: { authorization: 'Bearer heal-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'gateway-worker-wedged',
        title: 'GatewayWorkerWedged 网关工作进程卡死',
        body: '## 处理\n\n网关工作进程卡死时，重启 nginx 即可恢复。先确认上游健康。',
        actions: [
          { action: 'no_such_action', args: {} },
          { action: 'restart_service', args: { host: '{{host}}', unit: 'nginx' } },
        ],
      }),
    });
    expect(runbook.status).toBe(201);
    const fired = await post({
      name: 'GatewayWorkerWedged',
      severity: 'warning',
      service: 'gateway',
      host: 'web-01',
      summary: '网关工作进程卡死',
    });
    expect(fired.status).toBe(202);
    const card = await waitFor(() => sentCard('GatewayWorkerWedged', '执行建议操作'), 'the card with the suggestion');
    expect(cardText(card)).toContain('建议操作**：重启服务 host=web-01 unit=nginx');
    const incidentId = /"action":"run_suggested","incidentId":"([0-9a-f]{12})"/.exec(cardText(card))![1]!;
    const before = sshd.calls().length;
    const asked = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick(
          { action: 'run_suggested', incidentId },
          { operatorOpenId: 'ou_sre_lina', messageId: card.messageId, chatId: 'oc_ops_alerts' },
        ),
      ),
    );
    expect(asked.toast.content).toBe('已提交建议操作，结果会回复在卡片下');
    const reply = await waitFor(
      () => runtime.outbox.find((e) => e.path === `/open-apis/im/v1/messages/${card.messageId}/reply`),
      'the request card under the incident card',
    );
    expect(cardText(reply)).toContain('[待审批] 重启服务');
    // Nothing ran before a second person approved.
    expect(sshd.calls().length).toBe(before);
    const requestId = /请求 ID\*\*：([0-9a-f]+)/.exec(cardText(reply))![1]!;
    const approved = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick({ action: 'approve', requestId }, { operatorOpenId: 'ou_sre_zhangwei' }),
      ),
    );
    expect(approved.toast).toEqual({ type: 'success', content: '已批准，开始执行' });
    await waitFor(() => latestCard(reply.messageId!, reply).includes('[成功] 重启服务'), 'the suggestion run', {
      describe: () => latestCard(reply.messageId!, reply),
    });
    expect(sshd.calls().slice(before)).toEqual([
      ['restart', 'nginx'],
      ['is-active', 'nginx'],
    ]);
  });
});

describe('self-healing from an alert', () => {
  it('a critical NginxDown restarts nginx on its host as the rule, and calls people when the alert does not resolve', async () => {
    const before = sshd.calls().length;
    const response = await post({
      name: 'NginxDown',
      severity: 'critical',
      service: 'nginx',
      host: 'web-01',
      summary: 'nginx 不响应',
    });
    expect(response.status).toBe(202);
    await waitFor(() => sshd.calls().length >= before + 2, 'the restart over SSH', { timeoutMs: 20_000 });
    expect(sshd.calls().slice(before)).toEqual([
      ['restart', 'nginx'],
      ['is-active', 'nginx'],
    ]);
    // The progress card in the alert chat, by the rule.
    await waitFor(
      () =>
        runtime.outbox.some(
          (e) =>
            e.method === 'POST' &&
            (e.body as { receive_id?: string }).receive_id === 'oc_ops_alerts' &&
            cardText(e).includes('自愈规则 restart-nginx-when-down'),
        ),
      'the self-healing card',
    );
    // Not resolved within the (test) second: a reply under the alert card and urgent calls to the on-call person.
    const escalation = await waitFor(
      () =>
        runtime.outbox.find((e) => e.path.endsWith('/reply') && cardText(e).includes('自愈未能处理告警「NginxDown」')),
      'the escalation reply',
      { timeoutMs: 20_000 },
    );
    expect(cardText(escalation)).toContain('service host=web-01 unit=nginx');
    await waitFor(
      () => runtime.outbox.filter((u) => u.path.includes('/urgent_phone')).length >= 2,
      'the escalation call (after the first page)',
      { describe: () => runtime.outbox.filter((u) => u.path.includes('urgent')).map((u) => u.path) },
    );
  });
});
