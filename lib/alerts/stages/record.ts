import { routedDetail } from '../routing.js';
import { newAlertId, type RelatedKnowledge, type StoredAlert, type TimelineEntry } from '../repository.js';
import { describeMute } from './mute.js';
import { isoNow, type AlertEvent, type AlertStage } from './stage.js';

/** An alert that fires for weeks is refreshed every window: only the first refreshes are noted on its timeline. */
const MAX_REPEATS_IN_TIMELINE = 20;

/**
 * Applies the event to the stored alerts in one write, with what the stages before concluded (its route, a mute) on
 * the timeline: a new alert is created, a repeat refreshes the count and last-seen, a resolution closes the alert.
 * Every write is conditional, so a redelivered event changes nothing twice; a resolution that loses to a person
 * resolving the alert at the same moment ends the path.
 */
export const record: AlertStage = async (event, context) => {
  const { repo, log } = context;
  const { alert, count } = event.forwarded;
  const at = isoNow(context);
  const muted: TimelineEntry | undefined = event.mute && { at, event: 'muted', detail: describeMute(event.mute) };
  const latest = event.latest;
  let stored: StoredAlert | undefined;
  switch (event.change) {
    case 'open':
      stored = await repo.create(newAlert(event, at, muted));
      break;
    case 'repeat': {
      const open = latest!;
      const noted = open.timeline.filter((entry) => entry.event === 'repeated').length < MAX_REPEATS_IN_TIMELINE;
      const entries: TimelineEntry[] = noted
        ? [{ at, event: 'repeated', detail: `第 ${count - open.countBase + 1} 次` }]
        : [];
      if (muted && (entries.at(-1) ?? open.timeline.at(-1))?.event !== 'muted') entries.push(muted);
      stored = (await repo.applyRepeat(open.alertId, alert, count, at, entries)) ?? open;
      break;
    }
    case 'resolve':
      stored = await repo.resolve(latest!.alertId, alert, count, { at, event: 'resolved', detail: '告警源通知已恢复' });
      break;
    case 'replay':
      stored = latest;
      break;
    case 'orphan':
      stored = await repo.create({
        ...newAlert(event, at),
        status: 'resolved',
        resolvedAt: alert.endsAt ?? at,
        timeline: [{ at, event: 'resolved', detail: '收到恢复通知，但此前没有收到该告警的触发通知' }],
      });
      log.warn('resolution for an unknown alert stored', { fingerprint: alert.fingerprint, alertId: stored.alertId });
      break;
  }
  if (!stored) return undefined;
  if (muted && stored.timeline.at(-1)?.event !== 'muted') {
    await repo.appendTimeline(stored.alertId, [muted]);
    stored.timeline.push(muted);
  }
  return { ...event, stored };
};

function newAlert(event: AlertEvent, seenAt: string, muted?: TimelineEntry): StoredAlert {
  const { alert, count } = event.forwarded;
  const plan = event.plan!;
  return {
    alertId: newAlertId(alert, !event.latest),
    fingerprint: alert.fingerprint,
    status: 'firing',
    severity: alert.severity,
    alert,
    firstSeenAt: alert.startsAt < seenAt ? alert.startsAt : seenAt,
    lastSeenAt: seenAt,
    countBase: count,
    count,
    plan,
    ...(event.incidentId ? { incidentId: event.incidentId } : {}),
    openedBy: alert.eventId,
    lastEventId: alert.eventId,
    ...(event.related ? { related: whichSection(event.related) } : {}),
    timeline: [
      { at: seenAt, event: 'opened', detail: `${alert.source} · ${alert.severity}` },
      {
        at: seenAt,
        event: 'routed',
        detail: routedDetail(plan),
      },
      ...(muted ? [muted] : []),
    ],
  };
}

/** Which runbook section, without its first lines: those go on the incident, whose card shows them. */
const whichSection = ({ title, section, source }: RelatedKnowledge): RelatedKnowledge => ({ title, section, source });
