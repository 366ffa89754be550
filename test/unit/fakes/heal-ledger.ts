import type { HealLedger, RunLimit } from '../../../lib/automation/requests.js';

export class MemoryHealLedger implements HealLedger {
  readonly runs = new Map<string, number[]>();

  async claim(limits: RunLimit[], now: number) {
    const reached = limits.find(
      (limit) => (this.runs.get(limit.key) ?? []).filter((at) => at > now - limit.windowMs).length >= limit.max,
    );
    if (reached) return { ok: false as const, limit: reached };
    for (const limit of limits) this.runs.set(limit.key, [...(this.runs.get(limit.key) ?? []), now]);
    return { ok: true as const };
  }
}
