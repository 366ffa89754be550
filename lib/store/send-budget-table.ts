import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetSpent, type SendBudget } from '../feishu/paced-messenger.js';
import { isConditionFailure } from './dynamo.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Send budgets as counters in the Feishu deliveries table, one item per budget and second (`budget#chat:oc_…#<s>`):
 * one conditional increment takes a call, and a full second sends the caller to wait for the next. Every container
 * of every function shares them, which no in-process limiter can. The items expire a minute later.
 */
export function dynamoSendBudget(db: DynamoDBDocumentClient, tableName: string, now = Date.now): SendBudget {
  async function takeOne(key: string, perSecond: number, deadline: number) {
    for (let waited = false; ; waited = true) {
      const second = Math.floor(now() / 1000);
      const pk = `budget#${key}#${second}`;
      // A caller that already found this budget full looks before it writes: many callers waiting on one chat then
      // cost a read each second, not a refused write each.
      const seen =
        waited && (await db.send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true })));
      if (!seen || ((seen.Item?.calls as number | undefined) ?? 0) < perSecond) {
        try {
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk },
              UpdateExpression: 'SET expiresAt = :expiresAt ADD calls :one',
              ConditionExpression: 'attribute_not_exists(calls) OR calls < :limit',
              ExpressionAttributeValues: { ':one': 1, ':limit': perSecond, ':expiresAt': second + 60 },
            }),
          );
          return;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      // Full: somewhere in the first half of the next second, so the waiting callers do not all come back at once and
      // those who come after its slots are taken find it full by reading.
      const next = (second + 1) * 1000 + Math.floor(Math.random() * 500);
      if (next > deadline) throw new BudgetSpent(key, perSecond);
      await sleep(next - now());
    }
  }
  return {
    async take(budgets, maxWaitMs) {
      const deadline = now() + maxWaitMs;
      // The narrowest budget first: a full chat should not hold a slot of the app's while it waits.
      for (const { key, perSecond } of [...budgets].sort((a, b) => a.perSecond - b.perSecond))
        await takeOne(key, perSecond, deadline);
    },
  };
}
