import type { Actor, AlertRepository } from '../alerts/repository.js';
import { appendAudit, type AuditStore } from '../automation/audit.js';
import { refusal, type IncidentPermitOp } from '../incidents/permissions.js';
import type { Logger } from '../lambda/logger.js';
import type { Silence, SilenceStore } from '../alerts/silences.js';
import { formatTime } from '../feishu/cards.js';
import { isOpen, type StoredIncident } from '../incidents/model.js';
import type { IncidentRepository } from '../incidents/repository.js';
import { stableId } from '../lambda/ids.js';

/**
 * What people do to an incident, from a card button or a chat command: the same conditional changes either way, so
 * two people acting at once get one winner, and the other is told what happened instead.
 */
export interface IncidentActionDeps {
  incidents: IncidentRepository;
  silences: SilenceStore;
  /**
   * Has the alerts that a silence muted checked again at `at` (its end, or now when it was expired), so those still
   * firing are told of then (lib/incidents/release.ts).
   */
  releaseMutes(at: string, reason: string): Promise<void>;
  /** The hash-chained audit log: every action on an incident or on-call, allowed or denied, is noted there. */
  audit: AuditStore;
  log: Logger;
  now: () => number;
  timeZone: string;
}

/** Who asked, and the request (a message, a click) that carried it: the audit record's id. */
export interface Asked {
  by: Actor;
  requestId: string;
}

/**
 * Notes an action in the audit log: `performed` with what it did, or `denied` with why. A failure to write the record
 * after the change is logged, not thrown: the change stands and the person is told of it.
 */
export async function auditAction(
  deps: Pick<IncidentActionDeps, 'audit' | 'log' | 'now'>,
  { by, requestId }: Asked,
  action: string,
  args: Record<string, unknown>,
  result: { refused?: string; outcome?: IncidentActionOutcome },
) {
  const entry = {
    requestId,
    kind: result.refused ? ('denied' as const) : ('performed' as const),
    actor: { openId: by.openId },
    action,
    args,
    at: new Date(deps.now()).toISOString(),
    outcome: result.refused ? 'denied' : result.outcome?.changed ? 'changed' : 'unchanged',
    detail: (result.refused ?? result.outcome?.message ?? '').slice(0, 500),
  };
  try {
    await appendAudit(deps.audit, entry);
  } catch (error) {
    if (result.refused) throw error;
    deps.log.error('audit record not written', { action, requestId, error });
  }
}

/**
 * Runs a change on an incident if the incident's permits (decided from config when it opened) allow the person, and
 * notes it in the audit log either way. An incident from before permits were kept allows anyone. The change gets the
 * person named as the incident knows them, so whoever comes second is told by name who was first.
 */
export async function permitted(
  op: IncidentPermitOp,
  incidentId: string,
  asked: Asked,
  deps: IncidentActionDeps,
  change: (incident: StoredIncident, by: Actor) => Promise<IncidentActionOutcome>,
  args: Record<string, unknown> = {},
): Promise<IncidentActionOutcome> {
  const incident = await deps.incidents.get(incidentId);
  if (!incident) return notFound(incidentId);
  const by = named(incident, asked.by);
  const refused = refusal(incident.permits?.[op], by, op);
  const outcome = refused ? { changed: false, incident, message: refused } : await change(incident, by);
  await auditAction(deps, asked, `incident.${op}`, { incidentId, ...args }, { refused, outcome });
  return outcome;
}

export interface IncidentActionOutcome {
  /** Whether this call changed the incident. */
  changed: boolean;
  /** One short line for the person who asked (a toast or a chat reply); plain text, no markup. */
  message: string;
  incident?: StoredIncident;
}

/** A person with their name: their own (from chat, the roster), else the one the incident keeps for them. */
const named = (incident: Pick<StoredIncident, 'names'>, actor: Actor): Actor => {
  const name = actor.name ?? incident.names?.[actor.openId];
  return name ? { ...actor, name } : actor;
};
/** Who acted first, as whoever comes second is told: by name where one is known, else the card shows them. */
const who = (incident: StoredIncident, actor: Actor | undefined) =>
  (actor && named(incident, actor).name) ?? '其他人（见卡片）';
const notFound = (incidentId: string): IncidentActionOutcome => ({
  changed: false,
  message: `找不到事件 ${incidentId}`,
});
const nameOf = (by: Actor) => by.name ?? by.openId;

/** Why a change did not apply, in the words of the person who lost the race or came late. */
function alreadyClosed(incident: StoredIncident, timeZone: string): string {
  const at = formatTime(incident.resolvedAt, timeZone);
  return incident.resolvedBy ? `该事件已由${who(incident, incident.resolvedBy)}于 ${at} 解决` : `该事件已于 ${at} 恢复`;
}

export const acknowledgeIncident = (incidentId: string, asked: Asked, deps: IncidentActionDeps) =>
  permitted('ack', incidentId, asked, deps, (_, by) => acknowledge(incidentId, by, deps));

async function acknowledge(incidentId: string, by: Actor, deps: IncidentActionDeps): Promise<IncidentActionOutcome> {
  const at = new Date(deps.now()).toISOString();
  const entry = { at, event: 'acknowledged', detail: `确认人：${nameOf(by)}`, actor: by.openId };
  const { changed, incident } = await deps.incidents.acknowledge(incidentId, by, entry);
  if (!incident) return notFound(incidentId);
  if (changed) return { changed, incident, message: '已确认：重复提醒和升级已停止' };
  if (!isOpen(incident)) return { changed, incident, message: alreadyClosed(incident, deps.timeZone) };
  const first = incident.acknowledgedBy;
  const when = formatTime(incident.acknowledgedAt, deps.timeZone);
  const mine = first?.openId === by.openId;
  return {
    changed,
    incident,
    message: mine ? '你已确认过该事件' : `该事件已由${who(incident, first)}于 ${when} 确认`,
  };
}

export const resolveIncidentByHand = (
  incidentId: string,
  asked: Asked,
  note: string | undefined,
  deps: IncidentActionDeps,
) => permitted('resolve', incidentId, asked, deps, (_, by) => resolveByHand(incidentId, by, note, deps), { note });

async function resolveByHand(
  incidentId: string,
  by: Actor,
  note: string | undefined,
  deps: IncidentActionDeps,
): Promise<IncidentActionOutcome> {
  const at = new Date(deps.now()).toISOString();
  const detail = `解决人：${nameOf(by)}${note ? `；说明：${note}` : ''}`;
  const entry = { at, event: 'resolved_by_hand', detail, actor: by.openId };
  const { changed, incident } = await deps.incidents.resolveByHand(incidentId, by, note, entry);
  if (!incident) return notFound(incidentId);
  if (changed) {
    return { changed, incident, message: '已标记为解决；若告警源仍在触发，会在它恢复后再次触发时重新通知' };
  }
  return { changed, incident, message: alreadyClosed(incident, deps.timeZone) };
}

/**
 * Closes the incident's firing alerts as resolved by hand too, so a source that still fires is seen as the same
 * problem (stale) rather than reopening it, until it resolves and fires again.
 */
export async function resolveMembersByHand(incident: StoredIncident, by: Actor, alerts: AlertRepository, at: string) {
  const firing = Object.values(incident.members).filter((member) => member.status === 'firing');
  const entry = { at, event: 'resolved_by_hand', detail: `随事件 ${incident.incidentId} 解决`, actor: by.openId };
  await Promise.all(firing.map((member) => alerts.resolveByHand(member.alertId, by, incident.resolutionNote, entry)));
}

/** Matchers that pick out this incident's alerts: the name and host its members share, and its service. */
export function silenceMatchersFor(incident: StoredIncident): string[] {
  const members = Object.values(incident.members);
  const shared = (values: (string | undefined)[]) => (new Set(values).size === 1 ? values[0] : undefined);
  const name = shared(members.map((member) => member.name));
  const host = shared(members.map((member) => member.labels.host));
  const quote = (value: string) => `"${value}"`;
  return [
    ...(name ? [`alertname=${quote(name)}`] : []),
    `service=${quote(incident.service)}`,
    ...(host ? [`host=${quote(host)}`] : []),
  ];
}

/**
 * Silences alerts like this incident's for `durationMs` and marks the incident, so its card says until when and by
 * whom. `requestId` names the request (a message or a click) so a retried request makes the same silence.
 */
export const silenceIncident = (
  incidentId: string,
  asked: Asked,
  durationMs: number,
  reason: string,
  deps: IncidentActionDeps,
) =>
  permitted(
    'silence',
    incidentId,
    asked,
    deps,
    (incident, by) => silence(incident, { ...asked, by }, durationMs, reason, deps),
    {
      durationMs,
      reason,
    },
  );

async function silence(
  incident: StoredIncident,
  { by, requestId }: Asked,
  durationMs: number,
  reason: string,
  deps: IncidentActionDeps,
): Promise<IncidentActionOutcome & { silence?: Silence }> {
  const now = deps.now();
  const { incidentId } = incident;
  if (!isOpen(incident)) return { changed: false, incident, message: alreadyClosed(incident, deps.timeZone) };
  if (incident.silence && Date.parse(incident.silence.until) > now) {
    const until = formatTime(incident.silence.until, deps.timeZone);
    return { changed: false, incident, message: `该事件已静默至 ${until}` };
  }
  const at = new Date(now).toISOString();
  const silence: Silence = {
    id: stableId('silence', requestId).slice(0, 10),
    matchers: silenceMatchersFor(incident),
    startsAt: at,
    endsAt: new Date(now + durationMs).toISOString(),
    createdBy: by,
    reason: reason || `静默事件 ${incidentId}`,
    createdAt: at,
  };
  await deps.silences.create(silence);
  await deps.releaseMutes(silence.endsAt, `静默 ${silence.id} 到期`);
  const entry = {
    at,
    event: 'silenced',
    detail: `静默 ${silence.id} 至 ${formatTime(silence.endsAt, deps.timeZone)}，操作人：${nameOf(by)}`,
    actor: by.openId,
  };
  const updated = await deps.incidents.recordSilence(incidentId, { id: silence.id, until: silence.endsAt, by }, entry);
  const until = formatTime(silence.endsAt, deps.timeZone);
  return { changed: true, incident: updated ?? incident, silence, message: `已静默至 ${until}（静默 ${silence.id}）` };
}
