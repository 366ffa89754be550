import type { OutboxEntry } from '../../infra/local/feishu-standin.js';
import type { LocalRuntime } from '../../infra/local/runtime.js';

/** Posting generic alerts to a local runtime, and reading the cards its Feishu outbox holds. */
export function localAlerts(runtime: () => LocalRuntime, alertToken: string) {
  const post = (body: object) =>
    fetch(`${runtime().url}/alerts/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alertToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const content = (entry: OutboxEntry) => (entry.body as { content?: string }).content ?? '';
  const sends = () =>
    runtime().outbox.filter((e) => e.method === 'POST' && e.path.startsWith('/open-apis/im/v1/messages?'));
  /** New messages whose content mentions `name` (an alert's, an incident's). */
  const cardsAbout = (name: string) => sends().filter((e) => content(e).includes(name));
  /** New messages to one chat. */
  const cardsTo = (chatId: string) => sends().filter((e) => (e.body as { receive_id?: string }).receive_id === chatId);
  return { post, content, sends, cardsAbout, cardsTo };
}
