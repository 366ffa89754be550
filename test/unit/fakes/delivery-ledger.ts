import type { DeliveryLedger } from '../../../lib/chatops/inbox.js';

/** The DynamoDB ledger's conditions, in memory. */
export class MemoryDeliveryLedger implements DeliveryLedger {
  readonly records = new Map<string, { state: 'queuing' | 'queued'; leaseUntil?: number }>();

  async claim(key: string, now: number, leaseMs: number) {
    const record = this.records.get(key);
    if (record && !(record.state === 'queuing' && record.leaseUntil! < now))
      return record.state === 'queued' ? ('done' as const) : ('busy' as const);
    this.records.set(key, { state: 'queuing', leaseUntil: now + leaseMs });
    return 'claimed' as const;
  }

  async complete(key: string) {
    this.records.set(key, { state: 'queued' });
  }

  async release(key: string) {
    if (this.records.get(key)?.state === 'queuing') this.records.delete(key);
  }
}
