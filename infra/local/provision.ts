import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  paginateScan,
  ResourceInUseException,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type AttributeValue,
  type BatchWriteItemCommandInput,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type GlobalSecondaryIndexDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { cloudFormationResources } from './serverless-config.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

type Resources = ReturnType<typeof cloudFormationResources>;
type Log = (entry: Record<string, unknown>) => void;

/**
 * Creates the DynamoDB tables of the CloudFormation resources, as the stack would; returns their names by logical
 * id. A table kept under .data/ from an earlier run is kept, with the indexes declared now.
 */
export async function provisionTables(
  db: DynamoDBClient,
  resources: Resources,
  log: Log,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const p = resource.Properties;
    names.set(logicalId, p.TableName);
    const create: CreateTableCommandInput = {
      TableName: p.TableName,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    };
    try {
      await createActive(db, create);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier run under .data/
      await rebuildIfIndexesChanged(db, create, log);
    }
  }
  return names;
}

/** A new table answers reads and writes only once ACTIVE; dynalite turns it so on a timer, after answering. */
async function createActive(db: DynamoDBClient, create: CreateTableCommandInput) {
  await db.send(new CreateTableCommand(create));
  await waitUntilTableExists(
    { client: db, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.5 },
    { TableName: create.TableName },
  );
}

/**
 * A table kept under .data/ from an older version may have other indexes than declared. DynamoDB would add or drop
 * them one at a time; dynalite does neither, so the table is built again as declared, with its items, which the new
 * indexes then hold.
 */
async function rebuildIfIndexesChanged(db: DynamoDBClient, create: CreateTableCommandInput, log: Log) {
  const shape = (indexes: GlobalSecondaryIndex[] | GlobalSecondaryIndexDescription[] | undefined) =>
    (indexes ?? [])
      .map(({ IndexName, KeySchema, Projection }) =>
        [
          IndexName,
          ...(KeySchema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`),
          Projection?.ProjectionType,
          ...[...(Projection?.NonKeyAttributes ?? [])].sort(),
        ].join(' '),
      )
      .sort()
      .join('\n');
  const kept = (await db.send(new DescribeTableCommand({ TableName: create.TableName }))).Table;
  if (shape(kept?.GlobalSecondaryIndexes) === shape(create.GlobalSecondaryIndexes)) return;
  const items: Record<string, AttributeValue>[] = [];
  for await (const page of paginateScan({ client: db }, { TableName: create.TableName }))
    items.push(...(page.Items ?? []));
  await db.send(new DeleteTableCommand({ TableName: create.TableName }));
  await waitUntilTableNotExists(
    { client: db, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
    { TableName: create.TableName },
  );
  await createActive(db, create);
  for (let start = 0; start < items.length; start += 25) {
    let pending: BatchWriteItemCommandInput['RequestItems'] = {
      [create.TableName!]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    while (pending && Object.keys(pending).length) {
      pending = (await db.send(new BatchWriteItemCommand({ RequestItems: pending }))).UnprocessedItems;
    }
  }
  log({
    level: 'info',
    message: 'kept table rebuilt with its declared indexes',
    table: create.TableName,
    indexes: (create.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName),
    items: items.length,
  });
}

/**
 * Creates the SQS queues of the CloudFormation resources with their visibility timeout, retention and redrive
 * policy (dead-letter queues first, so a redrive policy can name their ARN); returns their URLs by logical id.
 * `visibilityTimeoutSeconds` shortens every queue's, so tests can watch redelivery without waiting minutes.
 */
export async function provisionQueues(
  sqs: SQSClient,
  resources: Resources,
  options: { visibilityTimeoutSeconds?: number } = {},
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const arnOf = (logicalId: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${resources[logicalId]!.Properties.QueueName}`;
  queues.sort(
    ([, a], [, b]) => Number(Boolean(a.Properties.RedrivePolicy)) - Number(Boolean(b.Properties.RedrivePolicy)),
  );
  for (const [logicalId, resource] of queues) {
    const p = resource.Properties;
    const attributes: Record<string, string> = {};
    const visibility = options.visibilityTimeoutSeconds ?? p.VisibilityTimeout;
    if (visibility !== undefined) attributes.VisibilityTimeout = String(visibility);
    if (p.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    if (p.RedrivePolicy) {
      const target = p.RedrivePolicy.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: target ? arnOf(target) : p.RedrivePolicy.deadLetterTargetArn,
        maxReceiveCount: String(p.RedrivePolicy.maxReceiveCount),
      });
    }
    urls.set(logicalId, await createOrUpdateQueue(sqs, p.QueueName, attributes));
  }
  return urls;
}

/**
 * Queues kept from an earlier run (with a data dir) keep their messages; their attributes follow serverless.yml as
 * a stack update would, where CreateQueue alone refuses a name whose attributes changed.
 */
async function createOrUpdateQueue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  try {
    return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  } catch (error) {
    if ((error as Error).name !== 'QueueNameExists') throw error;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl!;
  }
}
