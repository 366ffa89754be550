import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeishuStandin } from '../../../infra/local/feishu-standin.js';
import { describeSdkError, feishuMessenger } from '../../../lib/feishu/client.js';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';

let standin: FeishuStandin;
let server: http.Server;
let domain: string;

beforeAll(async () => {
  standin = new FeishuStandin();
  server = http.createServer((req, res) => void standin.serve(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  domain = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const calls = (pattern: RegExp) => standin.outbox.filter((entry) => pattern.test(`${entry.method} ${entry.path}`));

describe('feishuMessenger (the official SDK against the Feishu stand-in)', () => {
  it('fetches the tenant token once for a burst of concurrent first sends', async () => {
    const messenger = feishuMessenger({ appId: 'cli_burst', appSecret: 's', domain });
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        messenger.sendCard({ kind: 'chat', id: `oc_ops_${i}` }, { n: i }, `burst-${i}`),
      ),
    );
    expect(new Set(ids).size).toBe(10);
    expect(
      calls(/tenant_access_token/).filter((entry) => (entry.body as { app_id: string }).app_id === 'cli_burst'),
    ).toHaveLength(1);
  });

  it('sends with receive_id_type by target kind and the uuid idempotency key; a repeated uuid is the same message', async () => {
    const messenger = feishuMessenger({ appId: 'cli_send', appSecret: 's', domain });
    const first = await messenger.sendCard({ kind: 'user', id: 'ou_zhang' }, { header: {} }, 'same-key');
    const again = await messenger.sendCard({ kind: 'user', id: 'ou_zhang' }, { header: {} }, 'same-key');
    expect(again).toBe(first);
    const send = calls(/^POST \/open-apis\/im\/v1\/messages\?receive_id_type=open_id/).at(-1)!;
    expect(send.body).toMatchObject({
      receive_id: 'ou_zhang',
      msg_type: 'interactive',
      uuid: 'same-key',
      content: JSON.stringify({ header: {} }),
    });
  });

  it('patches a card and pages by app, SMS and phone with open_ids', async () => {
    const messenger = feishuMessenger({ appId: 'cli_page', appSecret: 's', domain });
    const messageId = await messenger.sendCard({ kind: 'user', id: 'ou_li' }, {}, 'page-key');
    await messenger.patchCard(messageId, { header: { template: 'green' } });
    for (const kind of ['app', 'sms', 'phone'] as const) await messenger.urgent(messageId, kind, ['ou_li']);
    expect(calls(new RegExp(`^PATCH /open-apis/im/v1/messages/${messageId}$`))).toHaveLength(1);
    for (const kind of ['app', 'sms', 'phone']) {
      const [page] = calls(
        new RegExp(`^PATCH /open-apis/im/v1/messages/${messageId}/urgent_${kind}\\?user_id_type=open_id$`),
      );
      expect(page?.body).toEqual({ user_id_list: ['ou_li'] });
    }
  });

  it('turns a Feishu error answer into a FeishuApiError carrying the code', async () => {
    const messenger = feishuMessenger({ appId: 'cli_quota', appSecret: 's', domain });
    const messageId = await messenger.sendCard({ kind: 'user', id: 'ou_li' }, {}, 'quota-key');
    standin.failures.push({ match: /urgent_phone$/, code: 230024, msg: 'urgent quota exhausted', times: 1 });
    const error = await messenger.urgent(messageId, 'phone', ['ou_li']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeishuApiError);
    expect(error).toMatchObject({ code: 230024, operation: 'urgent phone' });
  });

  it('answers too many messages to one chat or too many updates to one message as Feishu does, and says so', async () => {
    const messenger = feishuMessenger({ appId: 'cli_fast', appSecret: 's', domain });
    // Whole seconds, as the stand-in counts them: start at the beginning of one.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const answers = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) => messenger.sendCard({ kind: 'chat', id: 'oc_busy' }, {}, `busy-${i}`)),
    );
    const refused = answers.filter((answer) => answer.status === 'rejected');
    expect(refused).toHaveLength(2);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 230020 });
    const sent = (answers.find((answer) => answer.status === 'fulfilled') as PromiseFulfilledResult<string>).value;
    const updates = await Promise.allSettled(Array.from({ length: 6 }, () => messenger.patchCard(sent, {})));
    expect(updates.filter((answer) => answer.status === 'rejected')).toHaveLength(1);
  });
});

describe("the SDK's own error lines", () => {
  it('keep codes and messages, never [object Object] and never the request with its token', () => {
    const httpError = Object.assign(new Error('Request failed with status code 500'), {
      name: 'AxiosError',
      config: { headers: { Authorization: 'Bearer t-secret' } },
    });
    const line = describeSdkError([[httpError, { code: 230020, msg: 'too fast' }], { request: { token: 't-secret' } }]);
    expect(line).toBe(
      'AxiosError: Request failed with status code 500 code=230020 msg=too fast an object with request',
    );
    expect(line).not.toContain('t-secret');
  });
});
