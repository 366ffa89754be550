import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareStack } from '@smithy/types';
import type { cloudFormationResources } from './serverless-config.js';

type Resources = ReturnType<typeof cloudFormationResources>;

/** The function whose invocation is running, for the calls it makes (set by loadFunctions around each handler). */
export const invoking = new AsyncLocalStorage<string>();

/** What a call touches, as the policies name it: `AlertsTable`, `AlertsTable/index/firingByName`, `TimersQueue`. */
interface Request {
  action: string;
  resources: string[];
}

/**
 * The functions' IAM policies (infra/resources.yml, each function's `role` in serverless.yml), enforced on the
 * DynamoDB and SQS calls they make here as AWS would: a call its role does not allow fails with AccessDenied, so a
 * missing permission shows in `npm start` and the tests rather than after `serverless deploy`.
 */
export class LocalIam {
  private readonly allowed = new Map<string, Set<string>>();

  constructor(
    config: Record<string, any>,
    resources: Resources,
    private readonly tableIds: Map<string, string>,
    private readonly queueIds: Map<string, string>,
  ) {
    for (const [name, fn] of Object.entries<Record<string, any>>(config.functions ?? {})) {
      const role = fn.role && resources[fn.role];
      if (!role) continue;
      const grants = new Set<string>();
      for (const policy of role.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument?.Statement ?? []) {
          if (statement.Effect !== 'Allow') continue;
          for (const action of [statement.Action].flat())
            for (const resource of [statement.Resource].flat()) grants.add(`${action} ${resourceId(resource)}`);
        }
      }
      this.allowed.set(name, grants);
    }
  }

  /** Checks every call of `stack`'s client made inside an invocation of a function with a role. */
  enforce(stack: MiddlewareStack<any, any>, service: 'dynamodb' | 'sqs') {
    // The clients are the process's own: a runtime started again in the same process (tests) replaces the check.
    stack.remove('localIam');
    stack.add(
      (next, context) => async (args) => {
        const fn = invoking.getStore();
        const grants = fn && this.allowed.get(fn);
        if (grants) {
          const request = this.request(service, context.commandName ?? '', args.input as Record<string, any>);
          const denied = request?.resources.find((resource) => !grants.has(`${request.action} ${resource}`));
          if (request && denied !== undefined) {
            const error = new Error(
              `${fn} is not authorized to perform ${request.action} on ${denied}: add it to the function's role in ` +
                'infra/resources.yml',
            );
            error.name = 'AccessDeniedException';
            throw error;
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'localIam' },
    );
  }

  private request(service: string, command: string, input: Record<string, any>): Request | undefined {
    const operation = command.replace(/Command$/, '');
    if (service === 'sqs') {
      const queue = this.queueIds.get(input.QueueUrl);
      const action = operation === 'SendMessageBatch' ? 'SendMessage' : operation;
      return queue ? { action: `sqs:${action}`, resources: [queue] } : undefined;
    }
    const tables = input.TableName ? [input.TableName as string] : Object.keys(input.RequestItems ?? {});
    const ids = tables.map((table) => this.tableIds.get(table));
    if (!ids.length || ids.some((id) => !id)) return undefined;
    const index = input.IndexName ? `/index/${input.IndexName as string}` : '';
    return { action: `dynamodb:${operation}`, resources: ids.map((id) => `${id}${index}`) };
  }
}

/** A policy's resource as a logical id (with an index path), from `!GetAtt X.Arn`, `!Sub '${X.Arn}/…'` or `!Ref X`. */
function resourceId(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, any>;
  if (value['Fn::GetAtt']) return String(value['Fn::GetAtt'][0]);
  if (value.Ref) return String(value.Ref);
  if (typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'].replace(/\$\{(\w+)\.Arn\}/g, '$1');
  return JSON.stringify(resource);
}
