import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** One Feishu Open API call as it arrived. */
export interface OutboxEntry {
  method: string;
  path: string;
  body: unknown;
  at: string;
  /** The message a send or reply created (or found again by its uuid). */
  messageId?: string;
  /** The HTTP status answered, and Feishu's code when it was not 0 (a rate limit is 429 or 230020). */
  status?: number;
  code?: number;
  /** Set when the stand-in failed the call on purpose (`faults`): it was not carried out. */
  failed?: true;
  fault?: Fault;
}

/**
 * How a Feishu call fails when Feishu is in trouble: an HTTP 500, an answer that never comes (held past the client's
 * 5 s timeout, then dropped), or a connection reset. None of them carries the call out.
 */
export type Fault = 'http_500' | 'hang' | 'reset';
const HANG_MS = 8_000;

/** Feishu's limits, as the stand-in enforces them per whole second: new messages per app and per chat or person. */
const APP_SENDS_PER_SECOND = 50;
const TARGET_SENDS_PER_SECOND = 5;
/** Updates to one message. */
const MESSAGE_UPDATES_PER_SECOND = 5;

const TOKEN = 't-openclaw-local';
/** The local bot's identity, as `GET /open-apis/bot/v3/info` reports it. */
export const LOCAL_BOT_OPEN_ID = 'ou_openclaw_local_bot';

/**
 * A stand-in for the Feishu Open API, answering the calls OpenClaw makes the way Feishu does (tenant token, send with
 * `uuid` idempotency, patch, reply, urgent app/SMS/phone) and keeping each call in an outbox. The local runtime mounts
 * it when no Feishu credentials are configured; tests run it on its own port. The real SDK talks to it unchanged.
 */
export class FeishuStandin {
  readonly outbox: OutboxEntry[] = [];
  private readonly sentByUuid = new Map<string, string>();
  private readonly messages = new Map<string, { content: string; receiveId: string }>();
  /** Group chats made through the API (war rooms), by chat_id; `chatsByUuid` dedupes creation as Feishu does. */
  readonly chats = new Map<string, { name: string; members: Set<string>; pinned: string[] }>();
  private readonly chatsByUuid = new Map<string, string>();
  /** Bitable records by `app_token/table_id`, then record_id; `recordsByToken` dedupes creation by client_token. */
  readonly records = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly recordsByToken = new Map<string, string>();
  private sequence = 0;
  /** When set, called with each entry (the local runtime prints one line per call). */
  onCall?: (entry: OutboxEntry) => void;
  /** Tests can make the next calls to a path fail, to exercise retries. */
  readonly failures: { match: RegExp; code: number; msg: string; times: number }[] = [];
  /** The share of calls (0–1) that fail with a fault: half HTTP 500, a quarter hangs, a quarter resets. */
  faults = 0;
  /** Calls per budget in the current second, to answer as Feishu does when a caller goes too fast. */
  private window = { second: 0, counts: new Map<string, number>() };

  /** `path` is what follows the mount point, starting with /open-apis. */
  handle(
    method: string,
    path: string,
    rawBody: string,
    headers: IncomingMessage['headers'],
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const entry: OutboxEntry = { method, path, body: undefined, at: new Date().toISOString() };
    const answer = this.answer(entry, rawBody, headers);
    entry.status = answer.status;
    const code = (answer.body as { code?: number }).code;
    if (code) entry.code = code;
    return answer;
  }

  /**
   * Counts a call against its budgets (`limits`: key → calls a second); false, without counting, when one is spent.
   */
  private withinBudget(limits: [string, number][]): boolean {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.window.second) this.window = { second, counts: new Map() };
    if (limits.some(([key, limit]) => (this.window.counts.get(key) ?? 0) >= limit)) return false;
    for (const [key] of limits) this.window.counts.set(key, (this.window.counts.get(key) ?? 0) + 1);
    return true;
  }

  /** Feishu's answers when a budget is spent: the gateway's 429 for the app, 230020 for one chat or message. */
  private tooFast(scope: 'app' | 'chat' | 'message') {
    if (scope === 'app')
      return {
        status: 429,
        body: { code: 99991400, msg: 'request trigger frequency limit' },
        headers: { 'x-ogw-ratelimit-reset': '1' },
      };
    return { status: 400, body: { code: 230020, msg: `the ${scope} is receiving messages too fast, retry later` } };
  }

  private sendBudget(receiveId: string) {
    if (!this.withinBudget([['app', APP_SENDS_PER_SECOND]])) return this.tooFast('app');
    if (!this.withinBudget([[`to:${receiveId}`, TARGET_SENDS_PER_SECOND]])) return this.tooFast('chat');
    return undefined;
  }

  private answer(
    entry: OutboxEntry,
    rawBody: string,
    headers: IncomingMessage['headers'],
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const { method, path } = entry;
    let body: unknown = undefined;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      return { status: 400, body: { code: 9499, msg: 'invalid JSON body' } };
    }
    entry.body = body;
    this.outbox.push(entry);
    this.onCall?.(entry);

    const url = new URL(path, 'http://standin');
    if (method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: TOKEN, expire: 7200 } };
    }
    if (headers.authorization !== `Bearer ${TOKEN}`) {
      return {
        status: 400,
        body: {
          code: 99991663,
          msg: 'Invalid access token for authorization. Please make a request with token attached.',
        },
      };
    }
    const failure = this.failures.find((f) => f.times > 0 && f.match.test(`${method} ${url.pathname}`));
    if (failure) {
      failure.times--;
      return { status: 400, body: { code: failure.code, msg: failure.msg } };
    }

    const request = (body ?? {}) as Record<string, unknown>;
    if (method === 'GET' && url.pathname === '/open-apis/bot/v3/info') {
      return {
        status: 200,
        body: {
          code: 0,
          msg: 'ok',
          bot: { open_id: LOCAL_BOT_OPEN_ID, app_name: 'OpenClaw (local)', activate_status: 2 },
        },
      };
    }
    const messageMatch =
      /^\/open-apis\/im\/v1\/messages\/([^/]+)(?:\/(reply|urgent_app|urgent_sms|urgent_phone))?$/.exec(url.pathname);
    if (method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
      const receiveIdType = url.searchParams.get('receive_id_type');
      if (!receiveIdType || typeof request.receive_id !== 'string' || typeof request.content !== 'string') {
        return {
          status: 400,
          body: {
            code: 99992402,
            msg: 'field validation failed: receive_id_type, receive_id and content are required',
          },
        };
      }
      const uuid = request.uuid as string | undefined;
      const spent = uuid && this.sentByUuid.has(uuid) ? undefined : this.sendBudget(request.receive_id);
      if (spent) return spent;
      return {
        status: 200,
        body: { code: 0, msg: 'success', data: this.send(request.receive_id, request.content, uuid) },
      };
    }
    if (messageMatch) {
      const [, messageId, action] = messageMatch as unknown as [string, string, string | undefined];
      // Alerts kept in .data/ across restarts point at cards this stand-in sent in an earlier run: those are known.
      if (!this.messages.has(messageId) && messageId.startsWith('om_local_'))
        this.messages.set(messageId, { content: '', receiveId: '' });
      // People's messages (the ones the bot replies to) were never sent through the stand-in: any om_ id is one.
      if (!this.messages.has(messageId) && method === 'POST' && action === 'reply' && messageId.startsWith('om_'))
        this.messages.set(messageId, { content: '', receiveId: '' });
      if (!this.messages.has(messageId))
        return { status: 400, body: { code: 230001, msg: `message ${messageId} not found` } };
      if (method === 'PATCH' && !action) {
        if (typeof request.content !== 'string')
          return { status: 400, body: { code: 99992402, msg: 'content is required' } };
        if (!this.withinBudget([[`update:${messageId}`, MESSAGE_UPDATES_PER_SECOND]])) return this.tooFast('message');
        this.messages.get(messageId)!.content = request.content;
        return { status: 200, body: { code: 0, msg: 'success', data: {} } };
      }
      if (method === 'POST' && action === 'reply') {
        if (typeof request.content !== 'string' || typeof request.msg_type !== 'string') {
          return {
            status: 400,
            body: { code: 99992402, msg: 'field validation failed: msg_type and content are required' },
          };
        }
        const uuid = request.uuid as string | undefined;
        const spent =
          uuid && this.sentByUuid.has(uuid)
            ? undefined
            : this.sendBudget(this.messages.get(messageId)!.receiveId || messageId);
        if (spent) return spent;
        return {
          status: 200,
          body: {
            code: 0,
            msg: 'success',
            data: this.send(
              this.messages.get(messageId)!.receiveId,
              String(request.content),
              request.uuid as string | undefined,
            ),
          },
        };
      }
      if (method === 'PATCH' && action?.startsWith('urgent_')) {
        if (!Array.isArray(request.user_id_list) || !request.user_id_list.length)
          return { status: 400, body: { code: 99992402, msg: 'user_id_list is required' } };
        return { status: 200, body: { code: 0, msg: 'success', data: { invalid_user_id_list: [] } } };
      }
    }
    const collaboration = this.collaborate(method, url, request);
    if (collaboration) return collaboration;
    return {
      status: 404,
      body: { code: 404, msg: `the local Feishu stand-in does not implement ${method} ${url.pathname}` },
    };
  }

  /** Chats, their members and pins (war rooms), and Bitable records (the incident register), as Feishu answers them. */
  private collaborate(method: string, url: URL, request: Record<string, unknown>) {
    const ok = (data: object) => ({ status: 200, body: { code: 0, msg: 'success', data } });
    const invalid = (msg: string) => ({
      status: 400,
      body: { code: 99992402, msg: `field validation failed: ${msg}` },
    });
    const openIds = (value: unknown) => (Array.isArray(value) ? value.filter((id) => typeof id === 'string') : []);
    if (method === 'POST' && url.pathname === '/open-apis/im/v1/chats') {
      if (typeof request.name !== 'string' || !request.name) return invalid('name is required');
      const members = openIds(request.user_id_list);
      if (members.length > 50) return invalid('user_id_list takes 50 users at most');
      const uuid = url.searchParams.get('uuid') ?? undefined;
      let chatId = uuid ? this.chatsByUuid.get(uuid) : undefined;
      if (!chatId) {
        chatId = `oc_local_${++this.sequence}_${randomUUID().slice(0, 8)}`;
        this.chats.set(chatId, { name: request.name, members: new Set(members), pinned: [] });
        if (uuid) this.chatsByUuid.set(uuid, chatId);
      }
      return ok({ chat_id: chatId, name: this.chats.get(chatId)!.name });
    }
    const members = /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/.exec(url.pathname);
    if (method === 'POST' && members) {
      const chat = this.chats.get(members[1]!);
      if (!chat) return { status: 400, body: { code: 232011, msg: 'the chat does not exist or the bot is not in it' } };
      openIds(request.id_list).forEach((id) => chat.members.add(id));
      return ok({ invalid_id_list: [], not_existed_id_list: [] });
    }
    if (method === 'POST' && url.pathname === '/open-apis/im/v1/pins') {
      const messageId = String(request.message_id ?? '');
      const receiveId = this.messages.get(messageId)?.receiveId;
      const chat = receiveId && this.chats.get(receiveId);
      if (!chat) return { status: 400, body: { code: 232012, msg: `message ${messageId} is not in a group chat` } };
      if (!chat.pinned.includes(messageId)) chat.pinned.push(messageId);
      return ok({ pin: { message_id: messageId, chat_id: receiveId } });
    }
    const record = /^\/open-apis\/bitable\/v1\/apps\/([^/]+)\/tables\/([^/]+)\/records(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    if (record) {
      const [, app, table, recordId] = record as unknown as [string, string, string, string | undefined];
      if (typeof request.fields !== 'object' || request.fields === null) return invalid('fields is required');
      const rows = this.records.get(`${app}/${table}`) ?? new Map<string, Record<string, unknown>>();
      this.records.set(`${app}/${table}`, rows);
      const fields = request.fields as Record<string, unknown>;
      if (method === 'POST' && !recordId) {
        const token = url.searchParams.get('client_token') ?? undefined;
        let id = token ? this.recordsByToken.get(token) : undefined;
        if (!id) {
          id = `rec_local_${++this.sequence}`;
          rows.set(id, fields);
          if (token) this.recordsByToken.set(token, id);
        }
        return ok({ record: { record_id: id, fields: rows.get(id) } });
      }
      if (method === 'PUT' && recordId) {
        if (!rows.has(recordId)) return { status: 400, body: { code: 1254043, msg: 'RecordIdNotFound' } };
        rows.set(recordId, { ...rows.get(recordId), ...fields });
        return ok({ record: { record_id: recordId, fields: rows.get(recordId) } });
      }
    }
    return undefined;
  }

  private send(receiveId: string, content: string, uuid: string | undefined) {
    const result = this.store(receiveId, content, uuid);
    const entry = this.outbox.at(-1);
    if (entry) entry.messageId = result.message_id;
    return result;
  }

  private store(receiveId: string, content: string, uuid: string | undefined) {
    const existing = uuid ? this.sentByUuid.get(uuid) : undefined;
    const messageId = existing ?? `om_local_${++this.sequence}_${randomUUID().slice(0, 8)}`;
    if (!existing) {
      this.messages.set(messageId, { content, receiveId });
      if (uuid) this.sentByUuid.set(uuid, messageId);
    }
    return { message_id: messageId, create_time: String(Date.now()) };
  }

  /** Serves a node:http request whose URL starts with `mount`. */
  async serve(req: IncomingMessage, res: ServerResponse, mount = ''): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').slice(mount.length);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const fault = this.faults > 0 && Math.random() < this.faults ? pickFault() : undefined;
    if (fault) return this.fail(fault, { method, path, rawBody }, req, res);
    const result = this.handle(method, path, rawBody, req.headers);
    res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...result.headers });
    res.end(JSON.stringify(result.body));
  }

  private fail(
    fault: Fault,
    call: { method: string; path: string; rawBody: string },
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    let body: unknown = call.rawBody;
    try {
      body = call.rawBody ? JSON.parse(call.rawBody) : undefined;
    } catch {
      // kept as text: the call failed before anything read it
    }
    const entry: OutboxEntry = {
      method: call.method,
      path: call.path,
      body,
      at: new Date().toISOString(),
      failed: true,
      fault,
    };
    if (fault === 'http_500') entry.status = 500;
    this.outbox.push(entry);
    this.onCall?.(entry);
    if (fault === 'http_500') {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ code: 500, msg: 'internal error' }));
    } else if (fault === 'reset') {
      req.socket.destroy();
    } else {
      const timer = setTimeout(() => req.socket.destroy(), HANG_MS);
      req.socket.once('close', () => clearTimeout(timer));
    }
  }
}

function pickFault(): Fault {
  const roll = Math.random();
  return roll < 0.5 ? 'http_500' : roll < 0.75 ? 'hang' : 'reset';
}
