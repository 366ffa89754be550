import { alertDimensions } from '../model.js';
import type { AlertEvent, AlertStage } from './stage.js';

/**
 * Lets every notifier catch up with the alert as stored, in order (the card first, so paging has a message to page
 * about). Every notifier runs even if one before it failed: a chat that rejects the card must not stop the page.
 * Failures are thrown together at the end, so SQS redelivers the event and each notifier retries what is missing.
 */
export const notify: AlertStage = async (event, { notifiers, repo, incidents, log, now, metrics }) => {
  const stored = event.stored!;
  if (tellsSomeone(event)) metrics?.add('AlertsNotified', alertDimensions(event.forwarded.alert));
  const delivery = {
    stored,
    incident: event.incident,
    audience: event.audience,
    decision: event.forwarded.decision,
    receivedAt: event.forwarded.alert.receivedAt,
    changed: event.incidentChanged,
    dirtied: event.incidentDirtied,
  };
  const context = { repo, incidents, log, now: () => new Date(now()).toISOString() };
  const failures: unknown[] = [];
  for (const notifier of notifiers) {
    try {
      await notifier.notify(delivery, context);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length) {
    const reasons = failures.map((failure) => (failure as Error).message).join('; ');
    const message = `notification of ${stored.alertId} incomplete (${reasons}); SQS will retry what is missing`;
    throw new AggregateError(failures, message);
  }
  return event;
};

/** An alert that opens or resolves, routed to someone with a channel (not muted, not info): counted as notified once. */
const tellsSomeone = ({ change, audience }: AlertEvent) =>
  (change === 'open' || change === 'resolve') && Boolean(audience?.targets.length && audience.channels.length);
