import type { AuditRecord, AuditStore } from '../../../lib/automation/audit.js';

/** The DynamoDB audit table in memory; tests edit and delete records behind its back. */
export class MemoryAuditStore implements AuditStore {
  readonly byNumber = new Map<number, AuditRecord>();
  headPointer?: { seq: number; hash: string };

  async head() {
    return this.headPointer && { ...this.headPointer };
  }
  async get(seq: number) {
    const record = this.byNumber.get(seq);
    return record && structuredClone(record);
  }
  async put(record: AuditRecord) {
    if (this.byNumber.has(record.seq)) return false;
    this.byNumber.set(record.seq, structuredClone(record));
    return true;
  }
  async advanceHead(seq: number, hash: string) {
    if (!this.headPointer || this.headPointer.seq < seq) this.headPointer = { seq, hash };
  }
  async *records() {
    for (const seq of [...this.byNumber.keys()].sort((a, b) => a - b)) yield structuredClone(this.byNumber.get(seq)!);
  }
}
