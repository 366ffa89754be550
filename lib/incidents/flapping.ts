import type { FlappingRule } from '../alerts/config.js';
import type { StoredIncident } from './model.js';

/** What a state change (resolved, or firing again) leaves of an incident's flap record. */
export interface FlapRecord {
  /** The times of its recent state changes, newest last: at most one more than the rule allows. */
  stateChanges: string[];
  /** Until when it counts as flapping: a window after its last change while it flaps, so it must be stable that long. */
  flappingUntil?: string;
}

const plus = (at: string, seconds: number) => new Date(Date.parse(at) + seconds * 1000).toISOString();

/**
 * The flap record after a state change at `at`. More than `rule.changes` changes within the window, or any change
 * while it already flaps, makes it flap until a window after this change.
 */
export function afterStateChange(
  incident: Pick<StoredIncident, 'stateChanges' | 'flappingUntil' | 'openedAt'>,
  at: string,
  rule: FlappingRule,
): FlapRecord {
  const since = plus(at, -rule.windowSeconds);
  const stateChanges = [...(incident.stateChanges ?? [incident.openedAt]).filter((time) => time > since), at].slice(
    -(rule.changes + 1),
  );
  const flapping = stateChanges.length > rule.changes || isFlapping(incident, at);
  return { stateChanges, ...(flapping ? { flappingUntil: plus(at, rule.windowSeconds) } : {}) };
}

export const isFlapping = (incident: Pick<StoredIncident, 'flappingUntil'>, now: string) =>
  (incident.flappingUntil ?? '') > now;

/**
 * Whether a resolved incident whose group fires again is reopened, on the same card and without paging from the
 * start, rather than replaced by a new one: it resolved on its own within the flap window.
 */
export const reopensAt = (
  incident: Pick<StoredIncident, 'state' | 'resolvedAt' | 'resolvedBy'>,
  now: string,
  rule: FlappingRule,
) =>
  incident.state === 'resolved' &&
  !incident.resolvedBy &&
  Boolean(incident.resolvedAt) &&
  Date.parse(now) - Date.parse(incident.resolvedAt!) <= rule.windowSeconds * 1000;
