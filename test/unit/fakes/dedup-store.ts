import type { DedupObservation, DedupStore } from '../../../lib/alerts/dedup.js';
import type { Alert } from '../../../lib/alerts/model.js';

interface Item {
  status: DedupObservation['previousStatus'];
  windowEndsAt: number;
  prevStatus: DedupObservation['previousStatus'];
  prevWindowEndsAt: number;
  lastSeenAt: number;
  prevLastSeenAt: number;
  episodeStartedAt?: number;
  count: number;
  lastEventId?: string;
}

/**
 * The DynamoDB adapter (lib/store/dedup-table.ts) in memory: one item per fingerprint that keeps the state it
 * replaced (`prev*`) and the event that replaced it. The same event twice is refused and answered from the stored
 * item; revert puts back the previous state if the reverted event is still the last one, and otherwise closes the
 * window (and, for a resolution, sets the status back to firing) so the redelivery still goes on.
 */
export class MemoryDedupStore implements DedupStore {
  readonly items = new Map<string, Item>();
  writes = 0;

  async observe(alert: Alert, windowMs: number, now: number): Promise<DedupObservation> {
    const old = this.items.get(alert.fingerprint);
    if (old && old.lastEventId === alert.eventId) return observation(old, true);
    this.writes += 1;
    const item: Item = {
      count: (old?.count ?? 0) + 1,
      prevStatus: old?.status ?? 'none',
      prevWindowEndsAt: old?.windowEndsAt ?? 0,
      status: alert.status,
      windowEndsAt: now + windowMs,
      lastSeenAt: now,
      prevLastSeenAt: old?.lastSeenAt ?? 0,
      episodeStartedAt: alert.status === 'firing' ? (old?.episodeStartedAt ?? now) : undefined,
      lastEventId: alert.eventId,
    };
    this.items.set(alert.fingerprint, item);
    return observation(item, false);
  }

  async revert(alert: Alert): Promise<void> {
    const item = this.items.get(alert.fingerprint);
    if (!item) return;
    if (item.lastEventId !== alert.eventId) {
      this.items.set(alert.fingerprint, {
        ...item,
        windowEndsAt: 0,
        ...(alert.status === 'resolved' ? { status: 'firing' as const } : {}),
      });
      return;
    }
    this.items.set(alert.fingerprint, {
      ...item,
      status: item.prevStatus,
      windowEndsAt: item.prevWindowEndsAt,
      count: item.count - 1,
      lastEventId: undefined,
    });
  }
}

const observation = (item: Item, replay: boolean): DedupObservation => ({
  previousStatus: item.prevStatus,
  previousWindowEndsAt: item.prevWindowEndsAt,
  observedAt: item.lastSeenAt,
  count: item.count,
  replay,
  previousSeenAt: item.prevLastSeenAt,
  episodeStartedAt: item.episodeStartedAt,
});
