import * as z from 'zod';
import type { Logger } from '../lambda/logger.js';
import type { Metrics } from '../lambda/metrics.js';
import type { ParsedRecord } from '../lambda/sqs.js';
import { alertDimensions, alertSchema, type Alert } from './model.js';
import type { Severity } from './severity.js';

/**
 * What the dedup step concluded about one alert event:
 * - `open`: first firing of a condition (or firing again after it resolved): notify.
 * - `remind`: still firing, and a whole dedup window has passed, either in silence or since the firing began or was
 *   last refreshed: update what was sent (occurrences, last seen), page nobody.
 * - `resolve`: the firing condition is over: close the alert, turn its card green.
 * - `repeat`: inside the window, or a resolution already seen: only counted.
 */
export type DedupDecision = 'open' | 'remind' | 'resolve' | 'repeat';

/** The state a fingerprint was in just before this event, as the store recorded it in the same write. */
export interface DedupObservation {
  previousStatus: 'firing' | 'resolved' | 'none';
  /** Epoch ms at which the previous window closed (0 when there was none). */
  previousWindowEndsAt: number;
  /** Epoch ms at which the event was evaluated (on a replay, the time of the first evaluation). */
  observedAt: number;
  /** Occurrences of this fingerprint so far, this event included. */
  count: number;
  /** The same event was seen before (an SQS redelivery): the decision is recomputed, nothing is counted twice. */
  replay: boolean;
  /** Epoch ms of the fingerprint's previous occurrence (0 when none). */
  previousSeenAt?: number;
  /** Epoch ms at which the current firing began (unset once resolved). */
  episodeStartedAt?: number;
}

/** A store of dedup state: exactly one write per observed alert. */
export interface DedupStore {
  observe(alert: Alert, windowMs: number, now: number): Promise<DedupObservation>;
  /** Undoes an observation whose forwarding failed, so the redelivered event is judged afresh. */
  revert(alert: Alert): Promise<void>;
}

export interface DedupWindows {
  defaultSeconds: number;
  bySeverity: Partial<Record<Severity, number>>;
}

export const dedupWindowMs = (windows: DedupWindows, severity: Severity) =>
  (windows.bySeverity[severity] ?? windows.defaultSeconds) * 1000;

/**
 * The whole dedup policy, as a pure function of the previous state and the event. Inside the window a repeat is only
 * counted, except that a firing which never pauses still refreshes its card once per window length since it began
 * (each repeat extends the window, so it would otherwise never close).
 */
export function decide(status: Alert['status'], observation: DedupObservation, windowMs?: number): DedupDecision {
  const { previousStatus, previousWindowEndsAt, observedAt, previousSeenAt, episodeStartedAt } = observation;
  if (status === 'resolved') return previousStatus === 'resolved' ? 'repeat' : 'resolve';
  if (previousStatus !== 'firing') return 'open';
  if (previousWindowEndsAt <= observedAt) return 'remind';
  if (windowMs && episodeStartedAt && previousSeenAt) {
    const windowsSince = (time: number) => Math.floor((time - episodeStartedAt) / windowMs);
    if (windowsSince(observedAt) > windowsSince(previousSeenAt)) return 'remind';
  }
  return 'repeat';
}

/** What the dedup step hands to routing, on the notify queue. */
export const forwardedAlertSchema = z.object({
  alert: alertSchema,
  decision: z.enum(['open', 'remind', 'resolve']),
  count: z.number().int().positive(),
});
export type ForwardedAlert = z.infer<typeof forwardedAlertSchema>;

export interface DedupDeps {
  store: DedupStore;
  windows: DedupWindows;
  /** Sends the forwarded alerts on; returns the indexes that could not be sent. */
  forward: (items: ForwardedAlert[]) => Promise<number[]>;
  now?: () => number;
  onError?: (alert: Alert, error: unknown) => void;
  metrics?: Metrics;
}

/**
 * The dedup step: one store write per alert, then the alerts that go on. An alert whose write failed is reported
 * failed (SQS redelivers it); forwarding failures are reverted in the store and reported, so a redelivery is judged
 * as new and nothing is lost.
 */
export async function dedupAlerts(
  alerts: Alert[],
  deps: DedupDeps,
): Promise<{ forwarded: ForwardedAlert[]; failed: Alert[]; repeats: number }> {
  const now = deps.now ?? Date.now;
  const unobserved: Alert[] = [];
  const observed = (
    await Promise.all(
      alerts.map(async (alert) => {
        try {
          const windowMs = dedupWindowMs(deps.windows, alert.severity);
          const observation = await deps.store.observe(alert, windowMs, now());
          return { alert, observation, decision: decide(alert.status, observation, windowMs) };
        } catch (error) {
          deps.onError?.(alert, error);
          unobserved.push(alert);
          return undefined;
        }
      }),
    )
  ).filter((item) => item !== undefined);
  // A redelivered event was counted the first time.
  for (const { alert } of observed.filter((item) => item.decision === 'repeat' && !item.observation.replay))
    deps.metrics?.add('AlertsDeduplicated', alertDimensions(alert));
  const forwarded: ForwardedAlert[] = observed
    .filter((item) => item.decision !== 'repeat')
    .map(({ alert, decision, observation }) => ({
      alert,
      decision: decision as ForwardedAlert['decision'],
      count: observation.count,
    }));
  const failedIndexes = forwarded.length ? await deps.forward(forwarded) : [];
  const unforwarded = failedIndexes.map((index) => forwarded[index]!.alert);
  await Promise.all(unforwarded.map((alert) => deps.store.revert(alert)));
  return {
    forwarded: forwarded.filter((_, index) => !failedIndexes.includes(index)),
    failed: [...unobserved, ...unforwarded],
    repeats: observed.length - forwarded.length,
  };
}

/**
 * The dedup step over one SQS batch of alerts: returns the message ids of the alerts whose write or forwarding
 * failed, so SQS redelivers those and only those.
 */
export async function dedupBatch(records: ParsedRecord<Alert>[], deps: DedupDeps, log: Logger): Promise<string[]> {
  const result = await dedupAlerts(
    records.map(({ item }) => item),
    {
      ...deps,
      onError: (alert, error) =>
        log.error('dedup write failed', { eventId: alert.eventId, fingerprint: alert.fingerprint, error }),
    },
  );
  const failed = new Set(result.failed);
  log.info('alerts deduplicated', {
    received: records.length,
    forwarded: result.forwarded.length,
    repeats: result.repeats,
    failed: failed.size,
  });
  return records.filter(({ item }) => failed.has(item)).map(({ record }) => record.messageId);
}
