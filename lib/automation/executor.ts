import { ExpectedError } from '../lambda/errors.js';
import type { Logger } from '../lambda/logger.js';

/** What an action did, for the progress card, the audit log and the requester. */
export interface ActionOutcome {
  ok: boolean;
  /** One line in Chinese: 已重启 nginx（web-01），服务运行中. */
  summary: string;
  /** Everything the action printed or observed; the card shows its tail, the audit log its digest. */
  output: string;
}

export interface ExecutionContext {
  log: Logger;
  /** A line of progress ("等待滚动完成：2/3 个副本已更新"), shown on the request's card. */
  progress(line: string): Promise<void>;
  /** Ends when the action's timeout is reached; executors stop waiting and report failure. */
  deadline: number;
}

/** Runs one action whose arguments have passed its schema. Expected failures are outcomes; only faults throw. */
export type Executor = (args: Record<string, unknown>, context: ExecutionContext) => Promise<ActionOutcome>;

/** An action may not be run for a target the inventory does not list, or with a value it does not allow. */
export class InventoryError extends ExpectedError {
  constructor(userMessage: string, logMessage: string) {
    super(userMessage, logMessage);
    this.name = 'InventoryError';
  }
}

/** Node's (and undici's, ssh2's) codes for a connection that failed, as people are told of it. */
const connectionProblems: Record<string, string> = {
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被重置',
  UND_ERR_SOCKET: '连接被重置',
  ETIMEDOUT: '连接超时',
  UND_ERR_CONNECT_TIMEOUT: '连接超时',
  ENOTFOUND: '域名无法解析',
  EAI_AGAIN: '域名无法解析',
  EHOSTUNREACH: '网络不可达',
  ENETUNREACH: '网络不可达',
  DEPTH_ZERO_SELF_SIGNED_CERT: '证书校验失败',
  SELF_SIGNED_CERT_IN_CHAIN: '证书校验失败',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: '证书校验失败',
  CERT_HAS_EXPIRED: '证书已过期',
  ERR_TLS_CERT_ALTNAME_INVALID: '证书与域名不符',
};

/** Why a connection failed, in Chinese, from the code on the error or on its cause (fetch wraps it). */
export function connectionProblem(error: unknown): string {
  for (let cause = error, depth = 0; cause && depth < 3; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && connectionProblems[code]) return connectionProblems[code];
  }
  return '连接失败';
}

/** The English detail of an error and its causes, for the log line: `fetch failed: connect ECONNREFUSED …`. */
export function errorDetail(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error, depth = 0; cause && depth < 3; cause = (cause as { cause?: unknown }).cause, depth++)
    messages.push(cause instanceof Error ? cause.message : String(cause));
  return messages.join(': ');
}

export const tail = (text: string, lines = 20) => text.trimEnd().split('\n').slice(-lines).join('\n');
