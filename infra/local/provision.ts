import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { cloudFormationResources } from './serverless-config.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

type Resources = ReturnType<typeof cloudFormationResources>;
type Log = (entry: Record<string, unknown>) => void;

/**
 * Creates the DynamoDB tables of the CloudFormation resources, as the stack would; returns their names by logical
 * id. A table kept under .data/ from an earlier run is kept, with the indexes added since.
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
    try {
      await db.send(
        new CreateTableCommand({
          TableName: p.TableName,
          AttributeDefinitions: p.AttributeDefinitions,
          KeySchema: p.KeySchema,
          BillingMode: 'PAY_PER_REQUEST',
          ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier run under .data/
      await addMissingIndexes(db, p, log);
    }
  }
  return names;
}

/** A table kept under .data/ from an older version lacks the indexes added since: add them, keeping the data. */
async function addMissingIndexes(db: DynamoDBClient, p: Record<string, any>, log: Log) {
  const wanted: Record<string, any>[] = p.GlobalSecondaryIndexes ?? [];
  if (!wanted.length) return;
  const existing = (await db.send(new DescribeTableCommand({ TableName: p.TableName }))).Table?.GlobalSecondaryIndexes;
  for (const index of wanted.filter((w) => !(existing ?? []).some((e) => e.IndexName === w.IndexName))) {
    await db.send(
      new UpdateTableCommand({
        TableName: p.TableName,
        AttributeDefinitions: p.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
        ],
      }),
    );
    log({ level: 'info', message: 'index added to a kept table', table: p.TableName, index: index.IndexName });
  }
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
