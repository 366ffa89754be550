import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardClick, envelope, textMessage } from '../../infra/local/feishu-events.js';
import { LOCAL_BOT_OPEN_ID, type OutboxEntry } from '../../infra/local/feishu-standin.js';
import { cardButtons } from '../../infra/local/outbox-view.js';
import { LocalRuntime } from '../../infra/local/runtime.js';
import { chatWith, replyText } from '../support/chat.js';
import { localAlerts } from '../support/local-alerts.js';
import { waitFor } from '../support/wait.js';

/**
 * ChatOps end to end through the local runtime: signed, encrypted Feishu events → webhook → commands queue →
 * chatops → the real Feishu SDK → the Feishu stand-in's outbox; alerts through ingest → dedup → router.
 */
const alertToken = 'chatops-token';
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await new LocalRuntime({ quiet: true, alertToken, visibilityTimeoutSeconds: 2 }).start();
});
afterAll(async () => {
  await runtime?.stop();
});

const { app, feishu, say } = chatWith(() => runtime);

const { post } = localAlerts(() => runtime, alertToken);

const cardSends = (match: (card: any) => boolean) =>
  runtime.outbox.filter(
    (e) =>
      e.method === 'POST' &&
      e.path.startsWith('/open-apis/im/v1/messages?') &&
      match(JSON.parse((e.body as { content: string }).content)),
  );
/** The incident a card is about: its buttons act on it. */
const incidentIdOf = (entry: OutboxEntry) =>
  /"incidentId":"([0-9a-f]{12})"/.exec((entry.body as { content: string }).content)![1]!;
const patchesOf = (messageId: string) =>
  runtime.outbox.filter((e) => e.method === 'PATCH' && e.path === `/open-apis/im/v1/messages/${messageId}`);

describe('chat commands', () => {
  it('/help lists every command with usage and an example, in a p2p chat without a mention', async () => {
    const help = await say('/help', { chatType: 'p2p' });
    for (const command of ['status', 'alert', 'oncall', 'silence', 'restart', 'deploy', 'logs', 'check', 'audit', 'kb'])
      expect(help).toContain(`/${command}`);
    expect(help).toContain('示例');
  });

  it('ignores group messages that do not mention the bot', async () => {
    const event = textMessage({ text: '/status', botOpenId: LOCAL_BOT_OPEN_ID, mentionBot: false });
    await feishu(envelope(app, 'im.message.receive_v1', event));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runtime.outbox.some((e) => e.path.includes(event.message.message_id))).toBe(false);
  });

  it('suggests the closest command for a typo, answers plain text plainly, and gives usage for a bad argument', async () => {
    expect(await say('/stauts')).toMatch(/你是想用 \/status 吗/);
    const answer = await say('数据库主从延迟怎么处理？');
    expect(answer).toMatch(/处理手册中最相关的段落/);
    expect(answer).toContain('[1] MySQL 从库复制延迟');
    expect(await say('/restart "nginx; rm -rf /"')).toMatch(/服务名只能包含.*\n用法：\/restart <服务名> \[主机\]/);
    expect(await say('/kb nginx 502 upstream')).toContain('[1] Nginx returns 502 Bad Gateway');
    expect(await say('/kb 火星基地氧气泄漏')).toMatch(/知识库里没有找到/);
    expect(await say('/alert ack xyz')).toMatch(/告警 ID 是 12 位十六进制字符[\s\S]*用法：\/alert ack/);
  });

  it('posts the command list when the bot is added to a group', async () => {
    await feishu(envelope(app, 'im.chat.member.bot.added_v1', { chat_id: 'oc_new_team', name: '新团队' }));
    const welcome = await waitFor(
      () =>
        runtime.outbox.find(
          (e) => e.method === 'POST' && (e.body as { receive_id?: string }).receive_id === 'oc_new_team',
        ),
      'the welcome card',
    );
    expect((welcome.body as { content: string }).content).toContain('OpenClaw 命令');
  });

  it('/oncall names who is on call for each team and who is next', async () => {
    const answer = await say('/oncall');
    expect(answer).toMatch(/^sre：<at user_id="ou_sre_\w+">/m);
    expect(answer).toMatch(/^payments：/m);
    expect(await say('/oncall nobody')).toMatch(/没有名为 nobody 的团队/);
  });
});

describe('acknowledging and resolving an incident', () => {
  it('card buttons: one person wins an ack race, the other is told; all cards update; /alert resolve closes it', async () => {
    expect(
      (await post({ name: 'PaymentsLatencyHigh', severity: 'critical', service: 'payments', summary: 'p99 3s' }))
        .status,
    ).toBe(202);
    const sent = await waitFor(() => {
      const cards = cardSends((card) => card.header?.title?.content?.includes('PaymentsLatencyHigh'));
      return cards.length >= 2 && cards;
    }, 'the chat and on-call cards');
    const incidentId = incidentIdOf(sent[0]!);
    expect(incidentIdOf(sent[1]!)).toBe(incidentId);
    const [chatCard, personalCard] = sent.map((entry) => entry.messageId!);

    const click = (operator: string) =>
      feishu(
        envelope(
          app,
          'card.action.trigger',
          cardClick({ action: 'ack', incidentId }, { operatorOpenId: operator, messageId: chatCard }),
        ),
      );
    const [first, second] = await Promise.all([click('ou_pay_chenjing'), click('ou_pay_liuyang')]);
    const winner = [first, second].filter((answer) => answer.body.toast.type === 'success');
    expect(winner).toHaveLength(1);
    const loser = [first, second].find((answer) => answer !== winner[0])!;
    expect(loser.body.toast).toMatchObject({ type: 'info' });
    // Told by name who was first: the incident keeps the roster names of the people it permits.
    const winnerName = first === winner[0] ? '陈静' : '刘洋';
    expect(loser.body.toast.content).toMatch(new RegExp(`^该事件已由${winnerName}于 .* 确认$`));
    // Both see the card as it now is: acknowledged, by whom, without the 确认 button.
    for (const answer of [first, second]) {
      const card = JSON.stringify(answer.body.card.data);
      expect(card).toContain('已确认');
      expect(card).toMatch(/确认人\*\*：<at id=ou_pay_(chenjing|liuyang)><\/at>/);
      expect(card).not.toContain('"action":"ack"');
    }
    // The personal card is brought up to date by chatops.
    await waitFor(
      () => patchesOf(personalCard!).some((patch) => (patch.body as { content: string }).content.includes('已确认')),
      'the on-call card patched',
    );

    // The timeline names the person from the roster; the incident lists its alert, whose id works in /alert.
    const show = await say(`/incident show ${incidentId}`);
    expect(show).toMatch(/确认：确认人：(陈静|刘洋)/);
    const alertId = /PaymentsLatencyHigh · `([0-9a-f]{12})`/.exec(show)?.[1];
    expect(alertId, show).toBeDefined();
    expect(await say(`/alert show ${alertId}`)).toContain(`**事件**：\`${incidentId}\``);

    const resolved = await say(`/alert resolve ${alertId} 已回滚到 1.4.1，延迟恢复`, { sender: 'ou_pay_chenjing' });
    expect(resolved).toMatch(new RegExp(`已解决事件 ${incidentId}`));
    // Resolved with a note: a runbook draft is offered, and 保存到知识库 makes it an article.
    expect(resolved).toContain('处理记录草稿：PaymentsLatencyHigh（payments）处理记录');
    expect(resolved).toContain('## 处理过程');
    const draft = runtime.outbox
      .filter((e) => e.path.endsWith('/reply') && replyText(e).includes('处理记录草稿'))
      .at(-1)!;
    const draftMessage = draft.messageId!;
    // The button as the card carries it, so the value the webhook gets is the one a person's click sends.
    const [saveButton] = cardButtons(JSON.parse((draft.body as { content: string }).content));
    expect(saveButton).toMatchObject({ label: '保存到知识库', value: { action: 'save_kb', incidentId } });
    const save = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick(saveButton!.value!, { operatorOpenId: 'ou_pay_chenjing', messageId: draftMessage }),
      ),
    );
    expect(save.body.toast).toEqual({ type: 'info', content: '正在保存到知识库…' });
    await waitFor(
      () =>
        patchesOf(draftMessage).some((patch) => (patch.body as { content: string }).content.includes('已保存到知识库')),
      'the draft card marked saved',
    );
    expect(await say('/kb PaymentsLatencyHigh 回滚')).toContain('PaymentsLatencyHigh（payments）处理记录');
    await waitFor(
      () =>
        patchesOf(chatCard!).some((patch) =>
          (patch.body as { content: string }).content.includes('"template":"green"'),
        ),
      'the chat card turned green',
    );
    const lastPatch = JSON.parse((patchesOf(chatCard!).at(-1)!.body as { content: string }).content);
    expect(JSON.stringify(lastPatch)).toContain('已回滚到 1.4.1');
    expect(await say(`/ack ${alertId}`)).toMatch(/已由陈静于 .* 解决/);
    const status = await say('/status payments');
    expect(status).toMatch(/最近恢复的事件/);
    expect(status).toContain(incidentId);
  });
});

describe('knowledge capture from the card', () => {
  it('after 解决 on the card, chat asks for the note, and a reply to that becomes a knowledge draft', async () => {
    await post({ name: 'CheckoutErrors', severity: 'warning', service: 'checkout', summary: '5xx 比例 8%' });
    const [sent] = await waitFor(() => {
      const cards = cardSends((card) => card.header?.title?.content?.includes('CheckoutErrors'));
      return cards.length > 0 && cards;
    }, 'the checkout card');
    const incidentId = incidentIdOf(sent!);
    const click = await feishu(
      envelope(
        app,
        'card.action.trigger',
        cardClick({ action: 'resolve', incidentId }, { operatorOpenId: 'ou_sre_lina', messageId: sent!.messageId }),
      ),
    );
    expect(click.body.toast.type).toBe('success');
    const prompt = await waitFor(
      () =>
        runtime.outbox.find(
          (e) =>
            e.path === `/open-apis/im/v1/messages/${sent!.messageId}/reply` && replyText(e).includes('写下处理说明'),
        ),
      'the note prompt',
    );
    const draft = await say('回滚了 checkout 1.9.0 的配置变更，5xx 恢复', {
      sender: 'ou_sre_lina',
      parentId: prompt.messageId,
    });
    expect(draft).toContain('处理记录草稿：CheckoutErrors（checkout）处理记录');
    expect(draft).toContain('回滚了 checkout 1.9.0 的配置变更');
  });
});

describe('related knowledge on alert cards', () => {
  it('an alert’s card names the runbook section that matches it', async () => {
    await post({
      name: 'MySQLReplicationLag',
      severity: 'warning',
      service: 'mysql',
      summary: '从库复制延迟超过 300 秒',
    });
    const [sent] = await waitFor(() => {
      const cards = cardSends((card) => card.header?.title?.content?.includes('MySQLReplicationLag'));
      return cards.length > 0 && cards;
    }, 'the MySQL card');
    expect((sent!.body as { content: string }).content).toContain('相关知识**：MySQL 从库复制延迟');
  });
});

describe('silences and inhibition', () => {
  it('a silenced alert is stored and counted but not sent; /silence list and expire work', async () => {
    const created = await say('/silence service=inventory env="prod" 2h 库存迁移', { sender: 'ou_sre_lina' });
    const silenceId = /已创建静默 ([0-9a-f]+)/.exec(created)?.[1];
    expect(silenceId).toBeDefined();
    expect(created).toContain('service=inventory, env="prod"');

    expect(
      (
        await post({
          name: 'InventorySyncLag',
          severity: 'warning',
          service: 'inventory',
          summary: 'lag 10m',
          labels: { env: 'prod' },
        })
      ).status,
    ).toBe(202);
    const list = await waitFor(async () => {
      const answer = await say('/alert list');
      return answer.includes('InventorySyncLag') && answer;
    }, 'the silenced alert stored');
    expect(list).toMatch(/InventorySyncLag[^\n]*已静默|InventorySyncLag/);
    expect(cardSends((card) => card.header?.title?.content?.includes('InventorySyncLag'))).toHaveLength(0);

    expect(await say('/silence list')).toContain(silenceId!);
    expect(await say(`/silence expire ${silenceId}`, { sender: 'ou_sre_lina' })).toMatch(
      new RegExp(`已解除静默 ${silenceId}`),
    );
    expect(await say('/silence list')).toMatch(/当前没有生效的静默/);
    expect(await say('/silence 2h')).toMatch(/至少需要一个匹配条件[\s\S]*用法/);
  });

  it('a card silenced for an hour and then expired from chat offers 静默 again, and says so on its timeline', async () => {
    await post({ name: 'QueueBacklog', severity: 'warning', service: 'orders', summary: 'backlog 10k' });
    const [card] = await waitFor(() => {
      const cards = cardSends((c) => c.header?.title?.content?.includes('QueueBacklog'));
      return cards.length > 0 && cards;
    }, 'the QueueBacklog card');
    const incidentId = incidentIdOf(card!);
    const click = (eventId: string) =>
      feishu(
        envelope(
          app,
          'card.action.trigger',
          cardClick({ action: 'silence', incidentId }, { operatorOpenId: 'ou_sre_lina', messageId: card!.messageId }),
          { eventId },
        ),
      );
    const first = await click('ev-silence-1');
    const silenceId = /静默 ([0-9a-f]+)/.exec(first.body.toast.content)?.[1];
    expect(silenceId).toBeDefined();
    expect((await click('ev-silence-2')).body.toast.content).toMatch(/已静默至/);
    expect(await say(`/silence expire ${silenceId}`, { sender: 'ou_sre_lina' })).toContain('已解除静默');
    const again = await click('ev-silence-3');
    expect(again.body.toast).toMatchObject({ type: 'success', content: expect.stringMatching(/^已静默至/) });
    expect(await say(`/incident show ${incidentId}`)).toContain('解除静默');
  });

  it('checks who may: a broad silence needs an admin, an override needs the team; refusals and actions are audited', async () => {
    const broad = await say('/silence service=~".*" 7d 全部静默', { sender: 'ou_sre_lina' });
    expect(broad).toContain('你没有权限创建长时间或大范围的静默（需要：角色 admin）');
    expect(broad).toContain('超过 24 小时或匹配超过 20 条告警');
    expect(await say('/silence list')).not.toContain('service=~');
    const stranger = await say('/oncall override 王强 1h sre', { sender: 'ou_pay_liuyang' });
    expect(stranger).toMatch(/你没有权限设置临时值班（需要：值班团队 sre 的成员，或角色 admin）/);
    const created = await say('/silence service=~".*" 7d 全部静默', { sender: 'ou_sre_zhangwei' });
    const silenceId = /已创建静默 ([0-9a-f]+)/.exec(created)?.[1];
    expect(silenceId).toBeDefined();
    expect(await say(`/silence expire ${silenceId}`)).toContain('已解除静默');
    expect(await say('/audit verify')).toMatch(/审计日志完整：共 \d+ 条记录/);
  });

  it('a firing critical ServiceDown mutes warnings of the same service only', async () => {
    await post({ name: 'ServiceDown', severity: 'critical', service: 'search', summary: 'search is down' });
    await waitFor(
      () => cardSends((card) => card.header?.title?.content?.includes('ServiceDown')).length > 0,
      'the ServiceDown card',
    );
    await post({
      alerts: [
        { name: 'SearchSlowQueries', severity: 'warning', service: 'search', summary: 'slow' },
        { name: 'CatalogSlowQueries', severity: 'warning', service: 'catalog', summary: 'slow' },
      ],
    });
    await waitFor(
      () => cardSends((card) => card.header?.title?.content?.includes('CatalogSlowQueries')).length > 0,
      'the card of the other service',
    );
    const muted = await waitFor(async () => {
      const answer = await say('/alert list');
      return answer.includes('SearchSlowQueries') && answer;
    }, 'the muted warning stored');
    expect(muted).toContain('SearchSlowQueries');
    expect(cardSends((card) => card.header?.title?.content?.includes('SearchSlowQueries'))).toHaveLength(0);
  });
});
