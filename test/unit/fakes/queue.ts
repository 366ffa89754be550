import type { Queue } from '../../../lib/lambda/queue.js';

/** Keeps what was sent, with its delay; `failing` makes every send fail as SQS would report it. */
export class RecordingQueue<T> implements Queue<T> {
  readonly sent: { message: T; delaySeconds?: number }[] = [];
  failing = false;

  async sendAll(messages: T[], options: { delaySeconds?: number } = {}) {
    if (this.failing) return { failed: messages.map((_, index) => index), requests: 1 };
    this.sent.push(...messages.map((message) => ({ message: structuredClone(message), ...options })));
    return { failed: [], requests: 1 };
  }
}
