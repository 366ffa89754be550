import type { Alert } from '../../../lib/alerts/model.js';
import type { AlertRepository, StoredAlert, TimelineEntry } from '../../../lib/alerts/store.js';

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

  async applyRepeat(alertId: string, alert: Alert, count: number, at: string, entry?: TimelineEntry) {
    const stored = this.alerts.get(alertId);
    if (!stored || stored.status !== 'firing' || stored.lastEventId === alert.eventId) return undefined;
    Object.assign(stored, { alert: structuredClone(alert), lastSeenAt: at, count, lastEventId: alert.eventId });
    if (entry) stored.timeline.push(entry);
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

  async recordNotification(alertId: string, targetKey: string, messageId: string, entry: TimelineEntry) {
    const stored = this.alerts.get(alertId);
    if (!stored) return;
    stored.notifications[targetKey] = messageId;
    stored.timeline.push(entry);
  }

  async claimPage(alertId: string, now: string, until: string) {
    const stored = this.alerts.get(alertId);
    if (!stored || stored.pagedAt || (stored.pageLeaseUntil && stored.pageLeaseUntil >= now)) return false;
    stored.pageLeaseUntil = until;
    return true;
  }

  async recordPaged(alertId: string, at: string, entries: TimelineEntry[]) {
    const stored = this.alerts.get(alertId);
    if (!stored) return;
    stored.pagedAt = at;
    delete stored.pageLeaseUntil;
    stored.timeline.push(...entries);
  }

  async releasePage(alertId: string) {
    const stored = this.alerts.get(alertId);
    if (stored) delete stored.pageLeaseUntil;
  }

  async appendTimeline(alertId: string, entries: TimelineEntry[]) {
    this.alerts.get(alertId)?.timeline.push(...entries);
  }
}
