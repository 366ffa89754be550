import { describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit, type AuditEntry } from '../../../lib/automation/audit.js';
import { MemoryAuditStore } from '../fakes/audit-store.js';

const entry = (i: number, kind: AuditEntry['kind'] = 'requested'): AuditEntry => ({
  requestId: `req-${i}`,
  kind,
  actor: { openId: 'ou_sre_lina' },
  action: 'restart_service',
  args: { host: 'web-01', unit: 'nginx' },
  environment: 'prod',
  at: new Date(Date.UTC(2026, 10, 24, 3, 0, i)).toISOString(),
});

async function chain(length: number) {
  const store = new MemoryAuditStore();
  for (let i = 1; i <= length; i++) await appendAudit(store, entry(i));
  return store;
}

describe('the audit log', () => {
  it('chains every record to the one before, and an untouched chain verifies', async () => {
    const store = await chain(5);
    const records = [...store.byNumber.values()];
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, records: 5 });
  });

  it('concurrent appends never fork the chain', async () => {
    const store = new MemoryAuditStore();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(store, entry(i))));
    expect(store.byNumber.size).toBe(20);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, records: 20 });
  });

  it('finds an edited record', async () => {
    const store = await chain(5);
    store.byNumber.get(3)!.args = { host: 'web-02', unit: 'nginx' };
    expect(await verifyAudit(store)).toMatchObject({
      ok: false,
      brokenAt: 3,
      problem: expect.stringContaining('被修改'),
    });
  });

  it('finds an edited record whose hash was recomputed: the next link breaks', async () => {
    const store = await chain(5);
    const { recordHash } = await import('../../../lib/automation/audit.js');
    const forged = store.byNumber.get(3)!;
    forged.outcome = 'succeeded';
    const { hash: _old, ...unsigned } = forged;
    forged.hash = recordHash(unsigned);
    expect(await verifyAudit(store)).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: expect.stringContaining('哈希链接'),
    });
  });

  it('finds a deleted record, and records cut off the end', async () => {
    const store = await chain(5);
    store.byNumber.delete(2);
    expect(await verifyAudit(store)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: expect.stringContaining('缺失'),
    });
    const cut = await chain(5);
    cut.byNumber.delete(5);
    expect(await verifyAudit(cut)).toMatchObject({ ok: false, brokenAt: 5, problem: expect.stringContaining('末尾') });
  });

  it('walks past a head left behind by a crash between the record and the head', async () => {
    const store = await chain(3);
    store.headPointer = { seq: 1, hash: store.byNumber.get(1)!.hash };
    const appended = await appendAudit(store, entry(9));
    expect(appended.seq).toBe(4);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, records: 4 });
  });
});
