import { describe, expect, it } from 'vitest';
import { indexWriteUnits, type TableDefinition } from '../../bench/counters.js';

const table: TableDefinition = {
  TableName: 'incidents',
  KeySchema: [{ AttributeName: 'pk' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byState',
      KeySchema: [{ AttributeName: 'state' }, { AttributeName: 'updatedAt' }],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: 'byName',
      KeySchema: [{ AttributeName: 'name' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['title'] },
    },
  ],
};
const [byState, byName] = table.GlobalSecondaryIndexes!;
const item = (fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, { S: value }]));
const big = 'x'.repeat(1500); // with its attribute name, two write units whole

describe('what a write costs an index, by DynamoDB’s rules', () => {
  it('a new item in the index is one write of its projected size; one outside the index costs nothing', () => {
    const written = item({ pk: 'i1', state: 'triggered', updatedAt: 't1', body: big });
    expect(indexWriteUnits(table, byState!, undefined, written)).toBe(2);
    expect(indexWriteUnits(table, byName!, undefined, written)).toBe(0);
  });

  it('an update that changes the index key deletes the old entry and puts the new one', () => {
    const before = item({ pk: 'i1', state: 'triggered', updatedAt: 't1', body: big });
    const after = item({ pk: 'i1', state: 'triggered', updatedAt: 't2', body: big });
    expect(indexWriteUnits(table, byState!, before, after)).toBe(4);
  });

  it('an update of projected attributes alone is one write; of attributes not projected, none', () => {
    const before = item({ pk: 'i1', name: 'n', title: 'a', body: big });
    expect(indexWriteUnits(table, byName!, before, { ...before, title: { S: 'b' } })).toBe(1);
    expect(indexWriteUnits(table, byName!, before, { ...before, body: { S: `${big}y` } })).toBe(0);
  });

  it('an item that leaves the index is one delete', () => {
    const before = item({ pk: 'i1', name: 'n', title: 'a' });
    expect(indexWriteUnits(table, byName!, before, item({ pk: 'i1', title: 'a' }))).toBe(1);
    expect(indexWriteUnits(table, byName!, before, undefined)).toBe(1);
  });
});
