import type { Alert } from '../model.js';
import type { StoredAlert } from '../repository.js';
import { isoNow, type AlertStage } from './stage.js';

/**
 * What the event does to its alert: opens one, repeats or resolves the open one, or was applied before. An event
 * older than the alert it would change is stale (SQS keeps no order; redeliveries come late) and ends the path here:
 * an old firing must not reopen a resolved alert or overwrite an open one, an old resolution must not close a newer
 * one. So does a resolution of an alert that is already resolved.
 */
export const classify: AlertStage = async (event, context) => {
  const { alert } = event.forwarded;
  const latest = event.latest;
  if (latest && isStale(alert, latest)) {
    // A source still firing after a person resolved the alert sends a stale firing every window: note it once.
    const noted = `stale_${alert.status}`;
    if (latest.timeline.at(-1)?.event !== noted) {
      const what = alert.status === 'firing' ? '触发' : '恢复';
      await context.repo.appendTimeline(latest.alertId, [
        { at: isoNow(context), event: noted, detail: `收到过期的${what}通知（乱序或重投），已忽略` },
      ]);
    }
    context.log.info('stale event ignored', {
      alertId: latest.alertId,
      eventId: alert.eventId,
      status: alert.status,
      startsAt: alert.startsAt,
    });
    return undefined;
  }
  const open = latest?.status === 'firing' ? latest : undefined;
  if (alert.status === 'firing') {
    if (!open) return { ...event, change: 'open' };
    return { ...event, change: open.openedBy === alert.eventId ? 'replay' : 'repeat' };
  }
  if (open) return { ...event, change: 'resolve' };
  // The resolution was applied before; the notifiers may not have finished.
  if (latest?.lastEventId === alert.eventId) return { ...event, change: 'replay' };
  return latest ? undefined : { ...event, change: 'orphan' };
};

/** Times are the source's own (startsAt, endsAt), compared with when the stored alert began or ended. */
function isStale(alert: Alert, latest: StoredAlert): boolean {
  if (latest.openedBy === alert.eventId) return false; // the opening event itself, redelivered
  if (latest.status === 'firing') {
    return (alert.status === 'firing' ? alert.startsAt : (alert.endsAt ?? alert.startsAt)) < latest.firstSeenAt;
  }
  return alert.status === 'firing' && Boolean(latest.resolvedAt && alert.startsAt < latest.resolvedAt);
}
