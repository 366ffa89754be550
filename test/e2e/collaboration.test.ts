import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import { LocalRuntime, projectRoot } from '../../infra/local/runtime.js';
import { chatWith } from '../support/chat.js';
import { localAlerts } from '../support/local-alerts.js';
import { debianPeer } from '../support/debian-peers.js';
import { waitFor } from '../support/wait.js';

/**
 * Collaboration end to end through the local runtime: a critical incident's card carries a signed link to its detail
 * page, which Debian's Chromium opens (no browser is downloaded) and shows the timeline; a forged link gets 403.
 */
const alertToken = 'collaboration-token';
/** The register's Bitable table, kept by the Feishu stand-in like every other call. */
const REGISTER = { app: 'bascnLocalRegister', table: 'tblIncidents' };
/** Where the screenshots go (kept by CI as artefacts; ignored by git). */
const SCREENSHOTS = join(projectRoot, 'test-results');
let runtime: LocalRuntime;
let browser: Browser;
const { say } = chatWith(() => runtime);

beforeAll(async () => {
  runtime = await new LocalRuntime({
    quiet: true,
    alertToken,
    scheduleEveryMs: 1000,
    env: { BITABLE_APP_TOKEN: REGISTER.app, BITABLE_TABLE_ID: REGISTER.table },
  }).start();
  browser = await chromium.launch({ executablePath: debianPeer('/usr/bin/chromium'), args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

const { post, content, cardsAbout, cardsTo } = localAlerts(() => runtime, alertToken);
/** The card's 查看详情 link, as the last send or update of it carries it. */
function detailLinkOf(entry: OutboxEntry): string {
  const updates = runtime.outbox.filter((e) => e.method === 'PATCH' && e.path.endsWith(`/messages/${entry.messageId}`));
  const card = JSON.parse(content(updates.at(-1) ?? entry)) as object;
  const found = JSON.stringify(card).match(
    /"查看详情"\},"type":"\w+","behaviors":\[\{"type":"open_url","default_url":"([^"]+)"/,
  );
  return found![1]!;
}

const calls = (method: string, path: RegExp) => runtime.outbox.filter((e) => e.method === method && path.test(e.path));

describe('the war room', () => {
  it('opens once for a critical incident, with its card pinned and its timeline posted; updates reach the route chat', async () => {
    const name = 'PaymentsApiDown';
    const fire = () => post({ name, severity: 'critical', service: 'payments', summary: '支付接口全部超时' });
    // The same alert twice and a second member at once: concurrent events of one incident, one room.
    const fired = await Promise.all([
      fire(),
      fire(),
      post({ name, severity: 'critical', service: 'payments', host: 'pay-2', summary: '第二台' }),
    ]);
    expect(fired.map((response) => response.status)).toEqual([202, 202, 202]);
    const created = await waitFor(
      () => calls('POST', /^\/open-apis\/im\/v1\/chats\?/).length > 0 && calls('POST', /^\/open-apis\/im\/v1\/chats\?/),
      'the war room',
    );
    const [chatId, room] = [...runtime.feishu.chats][0]!;
    expect(room.name).toMatch(/^\[P1\] PaymentsApiDown \d\d-\d\d \d\d:\d\d$/);
    // The route's team, its on-call person among them.
    expect([...room.members].sort()).toEqual(['ou_pay_chenjing', 'ou_pay_liuyang']);
    await waitFor(() => room.pinned.length === 1, 'the card pinned in the room');
    const inRoom = () => cardsTo(chatId);
    await waitFor(
      () => inRoom().some((entry) => content(entry).includes('事件进展')),
      'the timeline posted in the room',
    );
    expect(inRoom().filter((entry) => content(entry).includes('[严重]')).length).toBe(1);

    await say('/incident update 已切换到备用支付通道', { chatId });
    await waitFor(
      () => inRoom().some((entry) => content(entry).includes('已切换到备用支付通道')),
      'the update posted in the room',
    );
    const routeCard = cardsTo('oc_payments_oncall').find((entry) => content(entry).includes(name))!;
    expect(
      runtime.outbox.some(
        (e) =>
          e.path.startsWith(`/open-apis/im/v1/messages/${routeCard.messageId}/reply`) &&
          content(e).includes('已切换到备用支付通道'),
      ),
    ).toBe(true);
    expect(await say('/incident resolve 已回滚支付网关配置', { chatId })).toContain('已解决事件');
    await waitFor(
      () => inRoom().some((entry) => content(entry).includes('人工解决')),
      'the resolution posted in the room',
    );
    // One row in the register, created when it opened and updated as it was resolved.
    const rows = () => [...(runtime.feishu.records.get(`${REGISTER.app}/${REGISTER.table}`)?.values() ?? [])];
    await waitFor(() => rows().some((row) => row.状态 === '已恢复'), 'the register row resolved');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toMatchObject({
      标题: name,
      级别: 'P1 严重',
      服务: 'payments',
      '根因/说明': '已回滚支付网关配置',
    });
    expect(rows()[0]!.MTTR).toEqual(expect.any(Number));
    expect(String((rows()[0]!.详情链接 as { link: string }).link)).toContain('/incidents/');
    const creates = calls('POST', /^\/open-apis\/bitable\/v1\/apps\/[^/]+\/tables\/[^/]+\/records\?/);
    expect(new Set(creates.map((entry) => new URL(entry.path, 'http://x').searchParams.get('client_token'))).size).toBe(
      1,
    );
    // The report counts it, with how long it took to recover.
    const weekly = await say('/report 7d');
    expect(weekly).toContain('最近 7 天事件报告');
    expect(weekly).toMatch(/MTTR\*\*：p50 /);
    expect(weekly).toContain('payments');
    // However many events and rounds there were, one room.
    expect(created).toHaveLength(1);
    expect(runtime.feishu.chats.size).toBe(1);
  });
});

describe('a declared incident', () => {
  it('is carded like an alert and gets its war room, named by its title', async () => {
    expect(await say('/incident declare 支付服务不可用')).toContain('已宣布事件「支付服务不可用」');
    const room = await waitFor(
      () => [...runtime.feishu.chats.values()].find((chat) => chat.name.includes('支付服务不可用')),
      'the war room of the declared incident',
    );
    expect(room.name).toMatch(/^\[P1\] 支付服务不可用 \d\d-\d\d \d\d:\d\d$/);
    await waitFor(() => room.pinned.length === 1, 'its card pinned');
  });
});

describe('the detail page', () => {
  it('opens from the card in Chromium with the timeline, and refuses a forged or unsigned link with 403', async () => {
    const name = 'CheckoutDown';
    expect(
      (await post({ name, severity: 'critical', service: 'checkout', summary: '<b>支付</b>接口 5xx' })).status,
    ).toBe(202);
    const [card] = await waitFor(() => cardsAbout(name).length > 0 && cardsAbout(name), 'the incident card');
    const link = detailLinkOf(card!);
    expect(link.startsWith(`${runtime.url}/incidents/`)).toBe(true);
    const incidentId = /\/incidents\/([0-9a-f]{12})\?/.exec(link)![1]!;
    await say(`/incident ack ${incidentId}`);
    await waitFor(async () => (await (await fetch(link)).text()).includes('确认'), 'the acknowledgement on the page');

    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const violations: string[] = [];
    page.on('console', (message) => message.type() === 'error' && violations.push(message.text()));
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.locator('h1').textContent()).resolves.toBe(name);
    const timeline = await page.locator('section:has(h2:text("时间线")) li').allTextContents();
    expect(timeline.some((line) => line.includes('触发'))).toBe(true);
    expect(timeline.some((line) => line.includes('确认'))).toBe(true);
    // The summary's markup is shown as text, never rendered.
    await expect(page.locator('b:text("支付")').count()).resolves.toBe(0);
    await expect(page.getByText('<b>支付</b>接口 5xx').count()).resolves.toBeGreaterThan(0);
    // The page's one style block applies under its CSP: nothing was blocked.
    // (A string the browser evaluates: this project's types have no DOM.)
    const background = await page.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor');
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
    expect(violations).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'incident-detail.png'), fullPage: true });

    const forged = link.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    for (const refused of [forged, link.replace(/\?.*$/, ''), link.replace(/exp=\d+/, 'exp=9999999999')]) {
      const answer = await page.goto(refused);
      expect(answer!.status()).toBe(403);
      const text = await page.locator('body').textContent();
      expect(text).not.toContain(name);
      expect(text).not.toContain(incidentId);
    }
    await page.close();
  });
});
