import type { Metrics } from '../lambda/metrics.js';
import { within } from '../lambda/within.js';
import type { Severity } from '../alerts/severity.js';
import type { SuggestedAction } from '../alerts/repository.js';
import { cardsOwed, deliverCards } from './delivery.js';
import { describeSuggestion, isOpen, suggestionOf, type StoredIncident } from './model.js';
import { updateRegister, type IncidentRegister } from './register.js';
import { rosterNames } from './timeline.js';
import { followWarRoom, openWarRoom } from './war-room.js';
import { PageDeferred } from './paging.js';
import { nextTimer, onTime, runDue, timerOf, wakeAt, type TimerDeps, type Wakeup } from './timers.js';

/** Longer than the worker's Lambda timeout (60 s), so a live holder never loses its incident to another. */
export const DELIVERY_LEASE_MS = 70_000;
/**
 * The next round after one that changes overtook, by how many rounds in a row they did: a quarter of a second after
 * the first (a change that came while a card was being updated shows at once, inside Feishu's 5 updates a second per
 * message), then a second, then two. An incident that keeps changing is updated every two seconds, and a storm of 200
 * changing incidents costs 200 rounds every two seconds, not a round per alert.
 */
const OVERTAKEN_SPACING_MS = [250, 1000, 2000];
/** A round whose cards or pages failed is tried again after this long, then longer, up to the sweep's minute. */
const RETRY_DELAYS_S = [2, 5, 15, 30, 60];

/**
 * The war rooms' settings and the incident register, each optional: without them (a deployment with no register, tests
 * of other things) no room is opened and no row written.
 */
export type WorkerDeps = TimerDeps & {
  metrics?: Metrics;
  warRoomSeverities?: Severity[];
  register?: IncidentRegister;
  /** A model's proposal of one action for an incident whose runbook suggests none (unset: no model configured). */
  proposeAction?: (incident: StoredIncident) => Promise<SuggestedAction | undefined>;
};

/** How long a model may take to propose: the round's cards are out already, but it holds the incident's lease. */
const PROPOSAL_TIMEOUT_MS = 15_000;

const later = (deps: WorkerDeps, ms: number) => new Date(Date.parse(deps.now()) + ms).toISOString();

/**
 * What a wakeup does for its incident: one round, under a lease on the incident so one worker at a time holds it.
 * The round does what is due (escalation steps, reminders) and brings every card up to the incident's version, then
 * lets go only if the incident is still at that version. If changes landed meanwhile, the next round comes by a
 * delayed wakeup, sooner after the first such round than after many in a row (OVERTAKEN_SPACING_MS): a storm of
 * changes costs a round every two seconds, whatever their number, and no worker sits waiting. A wakeup that finds the
 * incident held leaves the cards to the holder and does only what is due. What failed (a card, a page) is tried again
 * by a wakeup after a growing delay, not by the queue's visibility timeout, and what went through is not repeated;
 * what only waited for a full send budget comes back after the first delay, however often.
 */
export async function onWakeup(wakeup: Wakeup, deps: WorkerDeps): Promise<void> {
  if (!(await onTime(wakeup, deps, Date.parse(deps.now()), timerOf(wakeup.incidentId)))) return;
  const nowMs = Date.parse(deps.now());
  const until = new Date(nowMs + DELIVERY_LEASE_MS).toISOString();
  let incident = await deps.incidents.claimDelivery(wakeup.incidentId, deps.now(), until);
  if (!incident) return dueWhileHeld(wakeup, deps);
  const failed: string[] = [];
  let deferredOnly = true;
  try {
    ({ incident } = await runDue(incident, deps));
  } catch (error) {
    // A page that did not go through was let go (paging.ts) and is tried again below; the cards do not wait for it.
    if (error instanceof PageDeferred) deps.log.warn('page deferred', { incidentId: wakeup.incidentId, error });
    else deps.log.error('escalation incomplete', { incidentId: wakeup.incidentId, error });
    failed.push('page');
    deferredOnly = error instanceof PageDeferred;
    incident = (await deps.incidents.get(wakeup.incidentId)) ?? incident;
  }
  const rooms = deps.warRoomSeverities && { ...deps, warRoomSeverities: deps.warRoomSeverities };
  const opened = rooms ? await openWarRoom(incident, rooms) : undefined;
  if (opened?.room) incident = { ...incident, warRoom: opened.room };
  const delivery = await deliverCards(incident, deps);
  const { round } = delivery;
  if (opened) {
    const followed = await followWarRoom(
      { ...incident, notifications: { ...incident.notifications, ...round.sent } },
      [...opened.entries, ...round.entries],
      rooms!,
    );
    round.entries.unshift(...opened.entries);
    round.warRoom = followed.room ?? opened.room;
    if (opened.retry || followed.retry) delivery.failed.push('war-room');
  }
  if (deps.register) {
    const names = rosterNames(deps.teams.values());
    const row = await updateRegister(incident, { ...deps, register: deps.register, names });
    round.register = row.entry;
    round.entries.push(...row.timeline);
    if (row.retry) delivery.failed.push('register');
  }
  await proposeOnce(incident, deps);
  failed.push(...delivery.failed);
  deferredOnly &&= delivery.failed.every((target) => delivery.deferred.includes(target));
  // Alert → card: from the alert that put the cards out of date to the round that shows it, retries included.
  const owed = delivery.delivered ? undefined : wakeup.receivedAt;
  if (wakeup.receivedAt && !owed)
    deps.metrics?.add('AlertToCard', {}, Date.parse(deps.now()) - Date.parse(wakeup.receivedAt));
  if (failed.length) {
    await deps.incidents.finishRound(incident, delivery.round);
    // What only waited for a full send budget comes back soon, as often as it takes: it is owed, not failing.
    const retries = deferredOnly ? (wakeup.retries ?? 0) : (wakeup.retries ?? 0) + 1;
    const delay = RETRY_DELAYS_S[Math.max(0, Math.min(retries - 1, RETRY_DELAYS_S.length - 1))]!;
    deps.log.warn('incident not fully delivered; trying again', { incidentId: incident.incidentId, failed, delay });
    return wakeAt(deps.wakeups, incident.incidentId, later(deps, delay * 1000), Date.parse(deps.now()), {
      retries,
      receivedAt: owed,
    });
  }
  if (await deps.incidents.finishRound(incident, delivery.round, incident.version)) return;
  const overtaken = (wakeup.overtaken ?? 0) + 1;
  const spacing = OVERTAKEN_SPACING_MS[Math.min(overtaken, OVERTAKEN_SPACING_MS.length) - 1]!;
  await wakeAt(deps.wakeups, incident.incidentId, later(deps, spacing), Date.parse(deps.now()), { overtaken });
}

/**
 * Asks the model once per incident, after its first cards went out, for an action to offer when its runbook suggests
 * none. What it proposes (already through the action's schema) is noted with the question, as a change its cards show
 * in the next round; a model that fails or is slow is noted as asked and logged: a proposal is a help, not a duty.
 */
async function proposeOnce(incident: StoredIncident, deps: WorkerDeps) {
  if (!deps.proposeAction || incident.proposalAsked || suggestionOf(incident) || !isOpen(incident)) return;
  if (!cardsOwed(incident)) return;
  let proposal: SuggestedAction | undefined;
  try {
    proposal = await within(deps.proposeAction(incident), PROPOSAL_TIMEOUT_MS, () => {
      throw new Error(`no proposal within ${PROPOSAL_TIMEOUT_MS} ms`);
    });
  } catch (error) {
    deps.log.warn('action proposal failed', { incidentId: incident.incidentId, error });
  }
  const entries = proposal
    ? [{ at: deps.now(), event: 'proposal', detail: `${describeSuggestion(proposal)}：${proposal.reason ?? ''}` }]
    : [];
  await deps.incidents.recordProposal(incident.incidentId, proposal, entries);
}

/**
 * The incident is held by another worker, which shows every change in its cards. What is due is done anyway (each
 * step and reminder is claimed on its own, so nothing rings twice): a worker that died holding the incident must not
 * hold up its escalation for the rest of its lease. The cards are left to the holder, or to the sweep once the lease
 * of a holder that died runs out.
 */
async function dueWhileHeld(wakeup: Wakeup, deps: WorkerDeps) {
  const incident = await deps.incidents.get(wakeup.incidentId);
  const next = incident && nextTimer(incident);
  if (!next || next > deps.now()) return;
  await runDue(incident, deps);
}
