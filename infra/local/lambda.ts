import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invoking } from './iam.js';
import { ACCOUNT, REGION } from './provision.js';

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** A function of serverless.yml, loaded in this process. */
export interface LocalFunction {
  name: string;
  handler: LambdaHandler;
  timeoutMs: number;
}

/** One invocation as the runtime saw it: how long the handler ran, and for a queue how long each message waited. */
export interface Invocation {
  durationMs: number;
  queueWaitMs?: number[];
}

/** What the event sources and the gateway tell the runtime. */
export interface InvocationHooks {
  invoked(fn: LocalFunction, invocation: Invocation): void;
  log(entry: Record<string, unknown>): void;
}

/** Imports every function's handler (`functions/x.handler` → the `handler` export of functions/x.ts). */
export async function loadFunctions(config: Record<string, any>, root: string): Promise<Map<string, LocalFunction>> {
  const functions = new Map<string, LocalFunction>();
  for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
    const dot = fn.handler.lastIndexOf('.');
    const [file, exportName] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];
    const module = await import(pathToFileURL(join(root, `${file}.ts`)).href);
    if (typeof module[exportName] !== 'function') {
      throw new Error(`function ${name}: ${fn.handler} does not export a handler`);
    }
    const timeoutMs = (fn.timeout ?? config.provider.timeout ?? 6) * 1000;
    const handler = module[exportName] as LambdaHandler;
    // Every call the invocation makes is known to be this function's, for its IAM role (iam.ts).
    functions.set(name, {
      name,
      handler: (event, context) => invoking.run(name, () => handler(event, context)),
      timeoutMs,
    });
  }
  return functions;
}

/** Lambda's context object for one invocation: a request id and the time left before the function's timeout. */
export function lambdaContext(fn: LocalFunction) {
  const deadline = Date.now() + fn.timeoutMs;
  return {
    functionName: fn.name,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}`,
    memoryLimitInMB: '512',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
