import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareStack } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { invoking, LocalIam } from '../../infra/local/iam.js';

const config = { functions: { router: { role: 'RouterRole' }, sweep: { role: 'SweepRole' } } };
const role = (statements: object[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] },
});
const resources = {
  RouterRole: role([
    { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: { 'Fn::GetAtt': ['IncidentsTable', 'Arn'] } },
    { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['TimersQueue', 'Arn'] } },
  ]),
  SweepRole: role([
    { Effect: 'Allow', Action: 'dynamodb:Query', Resource: { 'Fn::Sub': '${IncidentsTable.Arn}/index/byStateSlim' } },
    { Effect: 'Allow', Action: 'dynamodb:BatchGetItem', Resource: { 'Fn::GetAtt': ['IncidentsTable', 'Arn'] } },
  ]),
} as never;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const endpoint = 'http://127.0.0.1:9';

/** Clients whose calls stop before the wire: only the policy check between them and it is under test. */
function clients() {
  const iam = new LocalIam(
    config,
    resources,
    new Map([['incidents', 'IncidentsTable']]),
    new Map([['http://sqs/timers', 'TimersQueue']]),
  );
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint, credentials }));
  const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials });
  for (const stack of [db.middlewareStack, sqs.middlewareStack] as MiddlewareStack<any, any>[])
    stack.add(() => async () => ({ output: {} as never, response: {} }), { step: 'build', name: 'stop' });
  iam.enforce(db.middlewareStack, 'dynamodb');
  iam.enforce(sqs.middlewareStack, 'sqs');
  return { db, sqs };
}

describe('the local runtime enforces the functions’ IAM roles', () => {
  it('lets a call its role allows through, and refuses one it does not, naming what is missing', async () => {
    const { db, sqs } = clients();
    const get = new GetCommand({ TableName: 'incidents', Key: { pk: 'incident#1' } });
    const batch = new BatchGetCommand({ RequestItems: { incidents: { Keys: [{ pk: 'incident#1' }] } } });
    await expect(invoking.run('router', () => db.send(get))).resolves.toBeDefined();
    await expect(invoking.run('router', () => db.send(batch))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('router is not authorized to perform dynamodb:BatchGetItem on IncidentsTable'),
    });
    await expect(invoking.run('sweep', () => db.send(batch))).resolves.toBeDefined();
    const send = new SendMessageBatchCommand({ QueueUrl: 'http://sqs/timers', Entries: [] });
    await expect(invoking.run('router', () => sqs.send(send))).resolves.toBeDefined();
    await expect(invoking.run('sweep', () => sqs.send(send))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('tells an index from its table, and leaves calls made outside an invocation alone', async () => {
    const { db } = clients();
    const query = (IndexName?: string) =>
      new QueryCommand({
        TableName: 'incidents',
        ...(IndexName ? { IndexName } : {}),
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'triggered' },
      });
    await expect(invoking.run('sweep', () => db.send(query('byStateSlim')))).resolves.toBeDefined();
    await expect(invoking.run('sweep', () => db.send(query('other')))).rejects.toMatchObject({
      message: expect.stringContaining('dynamodb:Query on IncidentsTable/index/other'),
    });
    await expect(invoking.run('sweep', () => db.send(query()))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(db.send(query())).resolves.toBeDefined();
  });
});
