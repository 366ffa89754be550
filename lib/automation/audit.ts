import { createHash } from 'node:crypto';

/** Everything that happens to an automation request, in the order it happens. */
export const auditKinds = [
  'requested',
  'denied',
  'approval_requested',
  'approved',
  'rejected',
  'expired',
  'started',
  'succeeded',
  'failed',
  'dry_run',
  'guardrail_stopped',
  'verified',
  'escalated',
  /** A person acted on an incident or on-call (ack, resolve, silence, escalate, override): allowed and done. */
  'performed',
] as const;
export type AuditKind = (typeof auditKinds)[number];

export interface AuditEntry {
  requestId: string;
  kind: AuditKind;
  /** A person (open_id) or, for self-healing, the rule that acted. */
  actor: { openId: string } | { rule: string };
  action: string;
  args: Record<string, unknown>;
  /** Where an automation action ran; absent for incidents and on-call. */
  environment?: string;
  at: string;
  outcome?: string;
  /** sha256 of the full output: the log keeps the proof, not the output. */
  outputDigest?: string;
  detail?: string;
}

/** An entry as stored: numbered, and chained to the one before by its hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with keys sorted at every level, so the hash does not depend on how a store orders attributes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonical(record)).digest('hex');
}

export const outputDigest = (output: string) => createHash('sha256').update(output).digest('hex');

/**
 * Append-only storage of the chain. `put` writes a record only where none has that number; the head is a pointer
 * to the last record (a hint for appending, and for verification the anchor that reveals records cut off the end).
 */
export interface AuditStore {
  head(): Promise<{ seq: number; hash: string } | undefined>;
  get(seq: number): Promise<AuditRecord | undefined>;
  /** False when a record with this number exists already. */
  put(record: AuditRecord): Promise<boolean>;
  advanceHead(seq: number, hash: string): Promise<void>;
  /** Every record, in order of seq. */
  records(): AsyncIterable<AuditRecord>;
}

/**
 * Appends an entry at the end of the chain. Appenders race by number: the loser of a number reads the winner's
 * record and tries the next one, so concurrent appends never fork the chain. The head may lag a crash behind;
 * the records are the truth and the next append walks past it.
 */
export async function appendAudit(store: AuditStore, entry: AuditEntry): Promise<AuditRecord> {
  let previous = await store.head();
  for (let attempt = 0; attempt < 100; attempt++) {
    const seq = (previous?.seq ?? 0) + 1;
    const unsigned = { ...entry, seq, prevHash: previous?.hash ?? GENESIS_HASH };
    const record: AuditRecord = { ...unsigned, hash: recordHash(unsigned) };
    if (await store.put(record)) {
      await store.advanceHead(seq, record.hash);
      return record;
    }
    const taken = await store.get(seq);
    if (!taken) throw new Error(`audit record ${seq} is taken but cannot be read`);
    previous = { seq, hash: taken.hash };
  }
  throw new Error('audit log: could not append after 100 attempts (contention)');
}

export type AuditVerification =
  { ok: true; records: number; lastHash: string } | { ok: false; records: number; brokenAt: number; problem: string };

/** Walks the chain from the start and reports the first broken link: an edited, inserted, deleted or cut-off record. */
export async function verifyAudit(store: AuditStore): Promise<AuditVerification> {
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for await (const record of store.records()) {
    count++;
    if (record.seq !== expected)
      return {
        ok: false,
        records: count,
        brokenAt: expected,
        problem: `记录 ${expected} 缺失（被删除？），下一条是 ${record.seq}`,
      };
    const { hash, ...unsigned } = record;
    if (recordHash(unsigned) !== hash)
      return {
        ok: false,
        records: count,
        brokenAt: record.seq,
        problem: `记录 ${record.seq} 写入后被修改过（哈希不符）`,
      };
    if (record.prevHash !== prevHash)
      return {
        ok: false,
        records: count,
        brokenAt: record.seq,
        problem: `记录 ${record.seq} 与上一条记录的哈希链接不符`,
      };
    prevHash = hash;
    expected++;
  }
  const head = await store.head();
  if (head && head.seq > expected - 1)
    return {
      ok: false,
      records: count,
      brokenAt: expected,
      problem: `记录 ${expected} 到 ${head.seq} 缺失（末尾被截断？）`,
    };
  if (head && head.seq === expected - 1 && head.hash !== prevHash)
    return { ok: false, records: count, brokenAt: head.seq, problem: `最后一条记录 ${head.seq} 与链头记录的哈希不符` };
  return { ok: true, records: count, lastHash: prevHash };
}
