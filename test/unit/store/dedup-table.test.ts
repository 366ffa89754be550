import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../../lib/alerts/dedup.js';
import { dynamoDedupStore } from '../../../lib/store/dedup-table.js';
import { makeAlert } from '../fakes/alerts.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const mock = mockClient(db);
beforeEach(() => mock.reset());

/**
 * What DynamoDB itself answers to a refused conditional write with ReturnValuesOnConditionCheckFailure: wire format.
 */
const refusedWith = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item as never,
  });

describe('DynamoDB dedup store against DynamoDB answers (aws-sdk-client-mock)', () => {
  it('reads the item a refused write returns in wire format, so a redelivered event gets its first decision', async () => {
    mock.on(UpdateCommand).rejects(
      refusedWith({
        prevStatus: { S: 'firing' },
        prevWindowEndsAt: { N: '1000' },
        lastSeenAt: { N: '5000' },
        count: { N: '3' },
        status: { S: 'firing' },
      }),
    );
    const observation = await dynamoDedupStore(db, 'dedup').observe(makeAlert(), 300_000, 9_000);
    expect(observation).toEqual({
      previousStatus: 'firing',
      previousWindowEndsAt: 1000,
      observedAt: 5000,
      count: 3,
      replay: true,
      previousSeenAt: 0,
      episodeStartedAt: undefined,
    });
    expect(decide('firing', observation)).toBe('remind');
    expect(mock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads the item when the refusal carries none', async () => {
    mock.on(UpdateCommand).rejects(refusedWith(undefined as never));
    mock.on(GetCommand).resolves({ Item: { prevStatus: 'none', prevWindowEndsAt: 0, lastSeenAt: 5000, count: 1 } });
    const observation = await dynamoDedupStore(db, 'dedup').observe(makeAlert(), 300_000, 9_000);
    expect(observation).toMatchObject({ previousStatus: 'none', count: 1, replay: true });
  });

  it('when a revert finds a newer event, closes the window so the redelivery is still forwarded', async () => {
    mock.on(UpdateCommand).rejectsOnce(refusedWith({})).resolves({});
    await dynamoDedupStore(db, 'dedup').revert(makeAlert());
    const fallback = mock.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(fallback.UpdateExpression).toBe('SET windowEndsAt = :zero');
    expect(fallback.ConditionExpression).toBeUndefined();
  });

  it('for a resolution, also sets the status back to firing, so the redelivered resolution resolves', async () => {
    mock.on(UpdateCommand).rejectsOnce(refusedWith({})).resolves({});
    await dynamoDedupStore(db, 'dedup').revert(makeAlert({ status: 'resolved' }));
    const fallback = mock.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(fallback.UpdateExpression).toBe('SET windowEndsAt = :zero, #status = :firing');
  });
});
