import { Client, Domain, defaultHttpInstance } from '@larksuiteoapi/node-sdk';
import { ExpectedError } from '../lambda/errors.js';
import { logger } from '../lambda/logger.js';
import { FeishuApiError, type Messenger } from './messenger.js';

export interface FeishuCredentials {
  appId: string;
  appSecret: string;
  /** `https://open.feishu.cn`, `https://open.larksuite.com`, or any base URL (the local stand-in). */
  domain: string;
}

interface ApiAnswer {
  code?: number;
  msg?: string;
  data?: { message_id?: string; chat_id?: string; record?: { record_id?: string } };
  bot?: { open_id?: string };
}

/**
 * The SDK throws axios errors for HTTP failures and returns `{code, msg}` for API failures: one error type for both.
 */
async function callOnce(operation: string, request: () => Promise<ApiAnswer>): Promise<ApiAnswer> {
  let answer: ApiAnswer;
  try {
    answer = await request();
  } catch (error) {
    const response = (error as { response?: { data?: ApiAnswer; status?: number; headers?: Record<string, unknown> } })
      .response;
    const reset = Number(response?.headers?.['x-ogw-ratelimit-reset']);
    throw new FeishuApiError(
      operation,
      response?.data?.code,
      response?.data?.msg ?? `HTTP ${response?.status ?? '?'} ${(error as Error).message}`,
      response?.status,
      Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
    );
  }
  if (answer?.code !== 0) throw new FeishuApiError(operation, answer?.code, answer?.msg ?? 'no answer');
  return answer;
}

/**
 * One line for what the SDK logs as an error: its arguments are arrays, HTTP errors and Feishu answers, which
 * String() turns into `[object Object]`. Only their codes and messages are kept: an HTTP error carries the request,
 * tenant token included, which must not reach a log.
 */
export function describeSdkError(args: unknown[]): string {
  const describe = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(describe).join(' ');
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value !== 'object' || value === null) return String(value);
    const { code, msg, message, status } = value as Record<string, unknown>;
    const known = Object.entries({ status, code, msg, message }).filter(([, field]) => field !== undefined);
    return known.length
      ? known
          .map(([key, field]) => `${key}=${typeof field === 'object' ? JSON.stringify(field) : String(field)}`)
          .join(' ')
      : `an object with ${Object.keys(value).slice(0, 10).join(', ') || 'nothing'}`;
  };
  return args.map(describe).join(' ').slice(0, 1000);
}

/**
 * The SDK's HTTP client waits forever by default. A hung call must fail (and be retried) well inside the router's
 * Lambda timeout, or a page could be claimed and never sent.
 */
export const FEISHU_TIMEOUT_MS = 5_000;
defaultHttpInstance.defaults.timeout = FEISHU_TIMEOUT_MS;

/**
 * The SDK's client for the app, and `call`, which makes a call through it: Feishu's refusals and HTTP failures as one
 * error type, and the tenant token fetched once for concurrent first calls.
 */
export function feishuApi(credentials: FeishuCredentials) {
  // The SDK fetches the tenant token on demand but not once for concurrent callers: let the first call of a cold
  // start go alone, so a batch of cards costs one token request instead of one each.
  let tokenReady: Promise<unknown> | undefined;
  const call = (operation: string, request: () => Promise<ApiAnswer>): Promise<ApiAnswer> => {
    if (tokenReady) return tokenReady.then(() => callOnce(operation, request));
    const first = callOnce(operation, request);
    tokenReady = first.catch(() => (tokenReady = undefined));
    return first;
  };
  const domain =
    credentials.domain === 'https://open.larksuite.com'
      ? Domain.Lark
      : credentials.domain === 'https://open.feishu.cn'
        ? Domain.Feishu
        : credentials.domain;
  // Failures reach our structured log as FeishuApiError; the SDK's own plain-text lines would only repeat them, so
  // only its errors are kept, as JSON. (Its `loggerLevel: fatal` is 0, which the SDK reads as "unset" → info.)
  const sdkLog = logger.child({ component: 'lark-sdk' });
  const quiet = () => undefined;
  const sdkLogger = {
    error: (...args: unknown[]) => sdkLog.warn('Feishu SDK error', { detail: describeSdkError(args) }),
    warn: quiet,
    info: quiet,
    debug: quiet,
    trace: quiet,
  };
  const client = new Client({ appId: credentials.appId, appSecret: credentials.appSecret, domain, logger: sdkLogger });
  return { client, call };
}

/** The messenger over @larksuiteoapi/node-sdk: it fetches and caches the tenant token itself. */
export function feishuMessenger(credentials: FeishuCredentials): Messenger {
  const { client, call } = feishuApi(credentials);
  let botOpenId: Promise<string> | undefined;
  return {
    async sendCard(target, card, idempotencyKey) {
      const answer = await call(
        'send card',
        () =>
          client.im.message.create({
            params: { receive_id_type: target.kind === 'chat' ? 'chat_id' : 'open_id' },
            data: {
              receive_id: target.id,
              msg_type: 'interactive',
              content: JSON.stringify(card),
              uuid: idempotencyKey,
            },
          }) as Promise<ApiAnswer>,
      );
      const messageId = answer.data?.message_id;
      if (!messageId) throw new FeishuApiError('send card', answer.code, 'answer has no message_id');
      return messageId;
    },
    async patchCard(messageId, card) {
      await call(
        'update card',
        () =>
          client.im.message.patch({
            path: { message_id: messageId },
            data: { content: JSON.stringify(card) },
          }) as Promise<ApiAnswer>,
      );
    },
    async urgent(messageId, kind, openIds) {
      const payload = {
        path: { message_id: messageId },
        params: { user_id_type: 'open_id' as const },
        data: { user_id_list: openIds },
      };
      const operation = `urgent ${kind}`;
      if (kind === 'app') await call(operation, () => client.im.message.urgentApp(payload) as Promise<ApiAnswer>);
      else if (kind === 'sms') await call(operation, () => client.im.message.urgentSms(payload) as Promise<ApiAnswer>);
      else await call(operation, () => client.im.message.urgentPhone(payload) as Promise<ApiAnswer>);
    },
    async reply(messageId, message, idempotencyKey) {
      const content = JSON.stringify(message.kind === 'text' ? { text: message.text } : message.card);
      const answer = await call(
        'reply',
        () =>
          client.im.message.reply({
            path: { message_id: messageId },
            data: { msg_type: message.kind === 'text' ? 'text' : 'interactive', content, uuid: idempotencyKey },
          }) as Promise<ApiAnswer>,
      );
      const replyId = answer.data?.message_id;
      if (!replyId) throw new FeishuApiError('reply', answer.code, 'answer has no message_id');
      return replyId;
    },
    async createChat(chat, idempotencyKey) {
      const answer = await call(
        'create chat',
        () =>
          client.im.chat.create({
            params: { user_id_type: 'open_id', uuid: idempotencyKey },
            data: {
              name: chat.name,
              description: chat.description,
              user_id_list: chat.openIds,
              chat_mode: 'group',
              chat_type: 'private',
            },
          }) as Promise<ApiAnswer>,
      );
      const chatId = answer.data?.chat_id;
      if (!chatId) throw new FeishuApiError('create chat', answer.code, 'answer has no chat_id');
      return chatId;
    },
    async addChatMembers(chatId, openIds) {
      await call(
        'add chat members',
        () =>
          client.im.chatMembers.create({
            path: { chat_id: chatId },
            params: { member_id_type: 'open_id' },
            data: { id_list: openIds },
          }) as Promise<ApiAnswer>,
      );
    },
    async pinMessage(messageId) {
      await call('pin message', () => client.im.pin.create({ data: { message_id: messageId } }) as Promise<ApiAnswer>);
    },
    botOpenId() {
      // Asked once per container; a failure is not cached, so the next message asks again.
      botOpenId ??= call(
        'bot info',
        () => client.request({ method: 'GET', url: '/open-apis/bot/v3/info' }) as Promise<ApiAnswer>,
      ).then(
        (answer) => {
          if (!answer.bot?.open_id) throw new FeishuApiError('bot info', answer.code, 'answer has no bot.open_id');
          return answer.bot.open_id;
        },
        (error: unknown) => {
          botOpenId = undefined;
          throw error;
        },
      );
      return botOpenId;
    },
  };
}

/**
 * The messenger from the app credentials in the secret, or a clear error naming what cannot work without them
 * (`purpose`), so the message is retried once they are filled in rather than lost.
 */
export async function messengerFromSecrets(
  secrets: () => Promise<{ FEISHU_APP_ID?: string; FEISHU_APP_SECRET?: string }>,
  domain: string,
  purpose: string,
): Promise<Messenger> {
  const { FEISHU_APP_ID, FEISHU_APP_SECRET } = await secrets();
  if (!FEISHU_APP_ID || !FEISHU_APP_SECRET)
    throw new ExpectedError(
      '未配置飞书应用凭据（FEISHU_APP_ID、FEISHU_APP_SECRET）',
      `FEISHU_APP_ID and FEISHU_APP_SECRET are not configured: ${purpose}`,
    );
  return feishuMessenger({ appId: FEISHU_APP_ID, appSecret: FEISHU_APP_SECRET, domain });
}
