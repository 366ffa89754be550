import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BudgetSpent, type SendBudget } from '../feishu/paced-messenger.js';
import { isConditionFailure } from './dynamo.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Budget = Parameters<SendBudget['take']>[0][number];

/**
 * Send budgets as counters in the Feishu deliveries table: one item per second (`budget#<s>`), with a counter per
 * budget (`app`, `chat:oc_…`, `thread:om_…`). One conditional write takes a call from every budget it needs at once,
 * or from none: a send costs one write, not one per budget, and a full chat never holds a slot of the app's while it
 * waits. A full second sends the caller to wait for the next. Every container of every function shares them, which
 * no in-process limiter can. The items expire a minute later.
 */
export function dynamoSendBudget(db: DynamoDBDocumentClient, tableName: string, now = Date.now): SendBudget {
  return {
    async take(budgets, maxWaitMs) {
      if (!budgets.length) return;
      const deadline = now() + maxWaitMs;
      const names = Object.fromEntries(budgets.map(({ key }, i) => [`#b${i}`, key]));
      const limits = Object.fromEntries(budgets.map(({ perSecond }, i) => [`:limit${i}`, perSecond]));
      const roomIn = (item: Record<string, unknown> | undefined) =>
        budgets.every(({ key, perSecond }) => ((item?.[key] as number | undefined) ?? 0) < perSecond);
      for (let waited = false; ; waited = true) {
        const second = Math.floor(now() / 1000);
        const pk = `budget#${second}`;
        // A caller that already found this second full looks before it writes: many callers waiting on one chat then
        // cost a read each second, not a refused write each.
        const seen =
          waited && (await db.send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: true })));
        if (!seen || roomIn(seen.Item)) {
          try {
            await db.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk },
                UpdateExpression: `SET expiresAt = :expiresAt ADD ${budgets.map((_, i) => `#b${i} :one`).join(', ')}`,
                ConditionExpression: budgets
                  .map((_, i) => `(attribute_not_exists(#b${i}) OR #b${i} < :limit${i})`)
                  .join(' AND '),
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ':one': 1, ':expiresAt': second + 60, ...limits },
              }),
            );
            return;
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
          }
        }
        // Full: somewhere in the first half of the next second, so the waiting callers do not all come back at once
        // and those who come after its slots are taken find it full by reading.
        const next = (second + 1) * 1000 + Math.floor(Math.random() * 500);
        if (next > deadline) throw spent(budgets, seen ? seen.Item : undefined);
        await sleep(next - now());
      }
    },
  };
}

/** Names the budget that was full when it was last read (the narrowest one if it was not read). */
function spent(budgets: Budget[], item: Record<string, unknown> | undefined): BudgetSpent {
  const narrowest = [...budgets].sort((a, b) => a.perSecond - b.perSecond);
  const full = narrowest.find(({ key, perSecond }) => ((item?.[key] as number | undefined) ?? 0) >= perSecond);
  const { key, perSecond } = full ?? narrowest[0]!;
  return new BudgetSpent(key, perSecond);
}
