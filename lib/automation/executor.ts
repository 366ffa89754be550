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
export class InventoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryError';
  }
}

export const tail = (text: string, lines = 20) => text.trimEnd().split('\n').slice(-lines).join('\n');
