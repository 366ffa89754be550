import type { Alert } from '../../../lib/alerts/model.js';
import type {
  Actor,
  AlertRepository,
  ChangeResult,
  StoredAlert,
  TimelineEntry,
} from '../../../lib/alerts/repository.js';

/**
 * The DynamoDB adapter (lib/store/alerts-table.ts) in memory. Like a table, it hands out copies: a caller's
 * changes to a returned alert are not stored unless it calls the repository. Conditions are the adapter's.
 */
export class MemoryAlertRepository implements AlertRepository {
  readonly alerts = new Map<string, StoredAlert>();
  readonly latestByFingerprint = new Map<string, string>();

  async latest(fingerprint: string) {
    const alertId = this.latestByFingerprint.get(fingerprint);
    const stored = alertId ? this.alerts.get(alertId) : undefined;
    return stored && structuredClone(stored);
  }

  async create(alert: StoredAlert) {
    const existing = this.alerts.get(alert.alertId);
    if (!existing) this.alerts.set(alert.alertId, structuredClone(alert));
    this.latestByFingerprint.set(alert.fingerprint, alert.alertId);
    return existing ? structuredClone(existing) : alert;
  }

  async applyRepeat(alertId: string, alert: Alert, count: number, at: string, entries: TimelineEntry[]) {
    const stored = this.alerts.get(alertId);
    if (!stored || stored.status !== 'firing' || stored.lastEventId === alert.eventId) return undefined;
    Object.assign(stored, { alert: structuredClone(alert), lastSeenAt: at, count, lastEventId: alert.eventId });
    stored.timeline.push(...entries);
    return structuredClone(stored);
  }

  async resolve(alertId: string, alert: Alert, count: number, entry: TimelineEntry) {
    const stored = this.alerts.get(alertId);
    if (!stored || stored.status !== 'firing') return undefined;
    const resolvedAt = alert.endsAt ?? entry.at;
    Object.assign(stored, { status: 'resolved', resolvedAt, lastSeenAt: entry.at, count, lastEventId: alert.eventId });
    stored.alert.endsAt = resolvedAt;
    stored.timeline.push(entry);
    return structuredClone(stored);
  }

  async appendTimeline(alertId: string, entries: TimelineEntry[]) {
    this.alerts.get(alertId)?.timeline.push(...entries);
  }

  async get(alertId: string) {
    const stored = this.alerts.get(alertId);
    return stored && structuredClone(stored);
  }

  async listFiring({ limit, service }: { limit: number; service?: string }) {
    return [...this.alerts.values()]
      .filter((stored) => stored.status === 'firing' && (!service || stored.alert.service === service))
      .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt))
      .slice(0, limit)
      .map((stored) => structuredClone(stored));
  }

  async firingAlerts(limit: number, names?: string[]) {
    return (await this.listFiring({ limit: Number.MAX_SAFE_INTEGER }))
      .map((stored) => stored.alert)
      .filter((alert) => !names || names.includes(alert.name))
      .slice(0, limit);
  }

  private change(
    alertId: string,
    allowed: (stored: StoredAlert) => boolean,
    apply: (stored: StoredAlert) => void,
  ): ChangeResult {
    const stored = this.alerts.get(alertId);
    if (!stored) return { changed: false };
    if (!allowed(stored)) return { changed: false, stored: structuredClone(stored) };
    apply(stored);
    return { changed: true, stored: structuredClone(stored) };
  }

  async resolveByHand(alertId: string, by: Actor, note: string | undefined, entry: TimelineEntry) {
    return this.change(
      alertId,
      (stored) => stored.status === 'firing',
      (stored) => {
        Object.assign(stored, {
          status: 'resolved',
          resolvedAt: entry.at,
          resolvedBy: by,
          lastSeenAt: entry.at,
          ...(note ? { resolutionNote: note } : {}),
        });
        stored.timeline.push(entry);
      },
    );
  }
}
