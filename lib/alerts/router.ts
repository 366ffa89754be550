import type { Logger } from '../lambda/logger.js';
import type { AlertingConfig } from './config.js';
import type { ForwardedAlert } from './dedup.js';
import type { Alert } from './model.js';
import { stableId } from '../lambda/ids.js';
import { describeMute, type MuteReason } from './mute.js';
import type { Notifier } from './notifiers/notifier.js';
import { planRoute } from './routing.js';
import type { AlertRepository, StoredAlert } from './store.js';

const MAX_REPEATS_IN_TIMELINE = 20;

export interface RouterDeps {
  repo: AlertRepository;
  config: AlertingConfig;
  /** Run in order for every change of an alert: the card first, so paging has a message to page about. */
  notifiers: Notifier[];
  log: Logger;
  now?: () => number;
  /** The silence and inhibition step; without it nothing is muted. */
  mute?: (alert: Alert) => Promise<MuteReason | undefined>;
  /** The best runbook section for a new alert; a failure here never holds up the alert. */
  relatedKnowledge?: (alert: Alert) => Promise<StoredAlert['related']>;
}

/**
 * Applies one forwarded alert to the stored alerts, then lets every notifier catch up with the result:
 *   firing, nothing open  → open a new alert (route it, store it)        → notify
 *   firing, alert open    → count the repeat, refresh last-seen          → notify (cards patched)
 *   resolved, alert open  → resolve it                                   → notify (cards turn green)
 * A redelivered message is recognised by its event id and only re-runs the (idempotent) notifiers. A firing that
 * started before the fingerprint's last resolution is stale (SQS does not keep order) and reopens nothing.
 */
export async function routeAlert(item: ForwardedAlert, deps: RouterDeps): Promise<StoredAlert | undefined> {
  const clock = deps.now ?? Date.now;
  const at = () => new Date(clock()).toISOString();
  const { alert, count } = item;
  const latest = await deps.repo.latest(alert.fingerprint);
  const open = latest?.status === 'firing' ? latest : undefined;
  let stored: StoredAlert | undefined;

  if (latest && isStale(alert, latest)) {
    // A source still firing after a person resolved the alert sends a stale firing every window: note it once.
    if (latest.timeline.at(-1)?.event !== `stale_${alert.status}`)
      await deps.repo.appendTimeline(latest.alertId, [
        {
          at: at(),
          event: `stale_${alert.status}`,
          detail: `收到过期的${alert.status === 'firing' ? '触发' : '恢复'}通知（乱序或重投），已忽略`,
        },
      ]);
    deps.log.info('stale event ignored', {
      alertId: latest.alertId,
      eventId: alert.eventId,
      status: alert.status,
      startsAt: alert.startsAt,
    });
    return latest;
  }

  if (alert.status === 'firing') {
    if (open && open.openedBy !== alert.eventId) {
      // An alert that fires for weeks is refreshed every window: its timeline notes only the first few refreshes,
      // so the item stays far below DynamoDB's 400 KB (the count and last-seen are always kept).
      const noted = open.timeline.filter((entry) => entry.event === 'repeated').length < MAX_REPEATS_IN_TIMELINE;
      const entry = noted ? { at: at(), event: 'repeated', detail: `第 ${count - open.countBase + 1} 次` } : undefined;
      stored = (await deps.repo.applyRepeat(open.alertId, alert, count, at(), entry)) ?? open;
    } else {
      stored =
        open ?? (await deps.repo.create({ ...newAlert(item, deps.config, clock()), ...(await related(alert, deps)) }));
    }
  } else if (open) {
    stored = await deps.repo.resolve(open.alertId, alert, count, {
      at: at(),
      event: 'resolved',
      detail: '告警源通知已恢复',
    });
  } else if (latest?.lastEventId === alert.eventId) {
    stored = latest; // the resolution was applied before; the notifiers may not have finished
  } else if (!latest) {
    // A resolution for an alert we never saw firing: keep it for the record, notify nobody.
    const resolvedAt = alert.endsAt ?? at();
    stored = await deps.repo.create({
      ...newAlert(item, deps.config, clock()),
      status: 'resolved',
      resolvedAt,
      timeline: [{ at: at(), event: 'resolved', detail: '收到恢复通知，但此前没有收到该告警的触发通知' }],
    });
    deps.log.warn('resolution for an unknown alert stored', {
      fingerprint: alert.fingerprint,
      alertId: stored.alertId,
    });
    return stored;
  }
  if (!stored) return latest;

  const mute = stored.status === 'firing' && deps.mute ? await deps.mute(stored.alert) : undefined;
  if (mute && stored.timeline.at(-1)?.event !== 'muted') {
    const entry = { at: at(), event: 'muted', detail: describeMute(mute) };
    await deps.repo.appendTimeline(stored.alertId, [entry]);
    stored.timeline.push(entry);
    deps.log.info('alert muted', {
      alertId: stored.alertId,
      by: mute.kind,
      silence: mute.kind === 'silence' ? mute.silence.id : undefined,
      rule: mute.kind === 'inhibition' ? mute.rule.name : undefined,
    });
  }

  // Every notifier runs even if one before it failed: a chat that rejects the card must not stop the page.
  const failures: unknown[] = [];
  for (const notifier of deps.notifiers) {
    try {
      await notifier.notify(stored, {
        repo: deps.repo,
        now: at,
        log: deps.log,
        muted: Boolean(mute),
        decision: item.decision,
      });
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length) {
    const reasons = failures.map((failure) => (failure as Error).message).join('; ');
    throw new AggregateError(
      failures,
      `notification of ${stored.alertId} incomplete (${reasons}); SQS will retry what is missing`,
    );
  }
  return stored;
}

async function related(alert: Alert, deps: RouterDeps): Promise<Pick<StoredAlert, 'related'>> {
  if (!deps.relatedKnowledge) return {};
  try {
    const found = await deps.relatedKnowledge(alert);
    return found ? { related: found } : {};
  } catch (error) {
    deps.log.warn('related knowledge lookup failed', { fingerprint: alert.fingerprint, error });
    return {};
  }
}

/**
 * An event from before the alert it would change (SQS keeps no order; redeliveries come late): an old firing must
 * not reopen a resolved alert or overwrite an open one, an old resolution must not close a newer incident.
 * Times are the source's own (startsAt, endsAt), compared with when the stored alert began or ended.
 */
function isStale(alert: Alert, latest: StoredAlert): boolean {
  if (latest.openedBy === alert.eventId) return false; // the opening event itself, redelivered
  if (latest.status === 'firing')
    return (alert.status === 'firing' ? alert.startsAt : (alert.endsAt ?? alert.startsAt)) < latest.firstSeenAt;
  return alert.status === 'firing' && Boolean(latest.resolvedAt && alert.startsAt < latest.resolvedAt);
}

function newAlert(item: ForwardedAlert, config: AlertingConfig, now: number): StoredAlert {
  const { alert } = item;
  const seenAt = new Date(now).toISOString();
  const plan = planRoute(alert, config.routes, config.teams, now);
  return {
    // Derived from the opening event, so a redelivery finds the alert it already created.
    alertId: stableId(alert.fingerprint, alert.eventId).slice(0, 12),
    fingerprint: alert.fingerprint,
    status: 'firing',
    severity: alert.severity,
    alert,
    firstSeenAt: alert.startsAt < seenAt ? alert.startsAt : seenAt,
    lastSeenAt: seenAt,
    countBase: item.count,
    count: item.count,
    plan,
    notifications: {},
    openedBy: alert.eventId,
    lastEventId: alert.eventId,
    timeline: [
      { at: seenAt, event: 'opened', detail: `${alert.source} · ${alert.severity}` },
      {
        at: seenAt,
        event: 'routed',
        detail: plan.routes.length
          ? `路由：${plan.routes.join(', ')}${plan.onCall ? `；值班：${plan.onCall.name}` : ''}`
          : '没有匹配的路由',
      },
    ],
  };
}
