import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { lambdaContext, type InvocationHooks, type LocalFunction } from './lambda.js';
import { ACCOUNT, REGION } from './provision.js';

/** One `sqs` event of serverless.yml: which function consumes which queue, and how. */
export interface SqsSubscription {
  fn: LocalFunction;
  queueUrl: string;
  batchSize: number;
  reportsBatchItemFailures: boolean;
  /** The event's `maximumConcurrency`: Lambda runs at most this many batches at once; locally, this many pollers. */
  maximumConcurrency?: number;
}

/** The `sqs` events of every function, with the queue each names by `!GetAtt <Queue>.Arn`. */
export function sqsSubscriptions(
  config: Record<string, any>,
  functions: Map<string, LocalFunction>,
  queueUrls: Map<string, string>,
): SqsSubscription[] {
  const subscriptions: SqsSubscription[] = [];
  for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      if (!event.sqs) continue;
      const arn = event.sqs.arn;
      const logicalId = Array.isArray(arn?.['Fn::GetAtt']) ? arn['Fn::GetAtt'][0] : undefined;
      if (!logicalId || !queueUrls.has(logicalId)) {
        throw new Error(`function ${name}: sqs event must reference a queue of resources with !GetAtt <Queue>.Arn`);
      }
      subscriptions.push({
        fn: functions.get(name)!,
        queueUrl: queueUrls.get(logicalId)!,
        batchSize: event.sqs.batchSize ?? 10,
        reportsBatchItemFailures: event.sqs.functionResponseType === 'ReportBatchItemFailures',
        maximumConcurrency: event.sqs.maximumConcurrency,
      });
    }
  }
  return subscriptions;
}

/**
 * Polls a queue the way Lambda's event source mapping does: batches of `batchSize`, the handler's partial batch
 * failures left for redelivery after the visibility timeout (an invocation error leaves the whole batch), the rest
 * deleted; the queue's own redrive policy moves a message to its dead-letter queue after `maxReceiveCount`.
 */
export class SqsEventSource {
  private running = false;
  private pollers: Promise<void>[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly subscription: SqsSubscription,
    private readonly hooks: InvocationHooks,
  ) {}

  start(pollers: number): void {
    this.running = true;
    for (let i = 0; i < pollers; i++) this.pollers.push(this.poll());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.pollers);
  }

  private async poll(): Promise<void> {
    const { queueUrl, batchSize } = this.subscription;
    const queue = queueUrl.split('/').pop();
    while (this.running) {
      let messages: Message[] = [];
      try {
        const result = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = result.Messages ?? [];
      } catch (error) {
        if (this.running) this.hooks.log({ level: 'error', message: 'receive failed', queue, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!messages.length) continue;
      const failed = await this.invoke(messages, `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`);
      if (!failed) continue;
      await this.remove(messages.filter((m) => !failed.has(m.MessageId!)));
    }
  }

  /** The message ids the handler reported failed; undefined when the invocation itself failed. */
  private async invoke(messages: Message[], arn: string): Promise<Set<string> | undefined> {
    const { fn, reportsBatchItemFailures } = this.subscription;
    const event = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: m.Attributes ?? {},
        messageAttributes: m.MessageAttributes ?? {},
        md5OfBody: m.MD5OfBody,
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: REGION,
      })),
    };
    const started = Date.now();
    const queueWaitMs = messages.map((m) => started - Number(m.Attributes?.SentTimestamp ?? started));
    try {
      const result = (await fn.handler(event, lambdaContext(fn))) as
        { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      return new Set(reportsBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
    } catch (error) {
      // Like Lambda: an invocation error leaves the whole batch to reappear after the visibility timeout.
      this.hooks.log({ level: 'error', message: 'invocation failed', function: fn.name, error: String(error) });
      return undefined;
    } finally {
      this.hooks.invoked(fn, { durationMs: Date.now() - started, queueWaitMs });
    }
  }

  private async remove(done: Message[]): Promise<void> {
    const { queueUrl } = this.subscription;
    try {
      for (let i = 0; i < done.length; i += 10) {
        const entries = done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! }));
        await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    } catch (error) {
      // As with Lambda, an undeleted message comes back after its visibility timeout; the consumer is idempotent.
      this.hooks.log({ level: 'error', message: 'delete failed', queue: queueUrl, error: String(error) });
    }
  }
}

/** One `schedule` event of serverless.yml: which function runs, and how often. */
export interface ScheduleSubscription {
  fn: LocalFunction;
  expression: string;
  everyMs: number;
}

const rateUnits: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The `schedule` events of every function. Only `rate(…)` runs locally (a cron expression is refused with that
 * message rather than silently never run); `everyMs` shortens every rate, so tests need not wait minutes.
 */
export function scheduleSubscriptions(
  config: Record<string, any>,
  functions: Map<string, LocalFunction>,
  everyMs?: number,
): ScheduleSubscription[] {
  const subscriptions: ScheduleSubscription[] = [];
  for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      if (!event.schedule) continue;
      const expression = String(typeof event.schedule === 'object' ? event.schedule.rate : event.schedule);
      const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
      if (!rate) throw new Error(`function ${name}: the local runtime runs rate(…) schedules only, not ${expression}`);
      const ms = everyMs ?? Number(rate[1]) * rateUnits[rate[2]!]!;
      subscriptions.push({ fn: functions.get(name)!, expression, everyMs: ms });
    }
  }
  return subscriptions;
}

/** Invokes a function on its schedule with EventBridge's scheduled event, never two invocations at once. */
export class ScheduleEventSource {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly subscription: ScheduleSubscription,
    private readonly hooks: InvocationHooks,
  ) {}

  /**
   * The first run is now: EventBridge kept the schedule going while this runtime was down, so what it would have done
   * meanwhile (a due escalation step whose wakeup came while nothing polled) is done at start.
   */
  start(): void {
    const tick = () => {
      this.running ??= this.invoke().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.subscription.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async invoke(): Promise<void> {
    const { fn, expression } = this.subscription;
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION,
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${fn.name}-${expression}`],
      detail: {},
    };
    const started = Date.now();
    try {
      await fn.handler(event, lambdaContext(fn));
    } catch (error) {
      this.hooks.log({ level: 'error', message: 'invocation failed', function: fn.name, error: String(error) });
    } finally {
      this.hooks.invoked(fn, { durationMs: Date.now() - started });
    }
  }
}
