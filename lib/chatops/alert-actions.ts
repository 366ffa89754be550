import { stableId } from '../lambda/ids.js';
import type { Silence, SilenceStore } from '../alerts/silences.js';
import type { Actor, AlertRepository, StoredAlert } from '../alerts/repository.js';
import { formatTime } from '../feishu/cards.js';

/**
 * What people do to an alert, from a card button or a chat command: the same conditional changes either way, so
 * two people acting at once get one winner, and the other is told what happened instead.
 */
export interface AlertActionDeps {
  repo: AlertRepository;
  silences: SilenceStore;
  now: () => number;
  timeZone: string;
}

export interface AlertActionOutcome {
  /** Whether this call changed the alert. */
  changed: boolean;
  /** One short line for the person who asked (a toast or a chat reply); plain text, no markup. */
  message: string;
  stored?: StoredAlert;
}

const who = (actor: Actor | undefined) => actor?.name ?? '其他人';
const notFound = (alertId: string): AlertActionOutcome => ({ changed: false, message: `找不到告警 ${alertId}` });

/** Why a change did not apply, in the words of the person who lost the race or came late. */
function alreadyClosed(stored: StoredAlert, timeZone: string): string {
  const at = formatTime(stored.resolvedAt, timeZone);
  return stored.resolvedBy ? `该告警已由${who(stored.resolvedBy)}于 ${at} 解决` : `该告警已于 ${at} 恢复`;
}

export async function acknowledgeAlert(alertId: string, by: Actor, deps: AlertActionDeps): Promise<AlertActionOutcome> {
  const at = new Date(deps.now()).toISOString();
  const result = await deps.repo.acknowledge(alertId, by, {
    at,
    event: 'acknowledged',
    detail: `确认人：${by.name ?? by.openId}`,
  });
  const stored = result.stored;
  if (!stored) return notFound(alertId);
  if (result.changed) return { changed: true, stored, message: '已确认：重复提醒已停止' };
  if (stored.status === 'resolved') return { changed: false, stored, message: alreadyClosed(stored, deps.timeZone) };
  const first = stored.acknowledgedBy;
  const mine = first?.openId === by.openId;
  return {
    changed: false,
    stored,
    message: mine
      ? '你已确认过该告警'
      : `该告警已由${who(first)}于 ${formatTime(stored.acknowledgedAt, deps.timeZone)} 确认（确认人见卡片）`,
  };
}

export async function resolveAlertByHand(
  alertId: string,
  by: Actor,
  note: string | undefined,
  deps: AlertActionDeps,
): Promise<AlertActionOutcome> {
  const at = new Date(deps.now()).toISOString();
  const detail = `解决人：${by.name ?? by.openId}${note ? `；说明：${note}` : ''}`;
  const result = await deps.repo.resolveByHand(alertId, by, note, { at, event: 'resolved_by_hand', detail });
  const stored = result.stored;
  if (!stored) return notFound(alertId);
  if (result.changed)
    return { changed: true, stored, message: '已标记为解决；若告警源仍在触发，会在它恢复后再次触发时重新通知' };
  return { changed: false, stored, message: alreadyClosed(stored, deps.timeZone) };
}

/** Matchers that pick out this alert and its like: its name and service, and its host when it has one. */
export function silenceMatchersFor(stored: StoredAlert): string[] {
  const quote = (value: string) => `"${value}"`;
  return [
    `alertname=${quote(stored.alert.name)}`,
    `service=${quote(stored.alert.service)}`,
    ...(stored.alert.host ? [`host=${quote(stored.alert.host)}`] : []),
  ];
}

/**
 * Silences alerts like this one for `durationMs` and marks the alert, so its card says until when and by whom.
 * `requestId` names the request (a message or a click) so a retried request makes the same silence, not a second.
 */
export async function silenceAlert(
  alertId: string,
  by: Actor,
  durationMs: number,
  reason: string,
  requestId: string,
  deps: AlertActionDeps,
): Promise<AlertActionOutcome & { silence?: Silence }> {
  const now = deps.now();
  const stored = await deps.repo.get(alertId);
  if (!stored) return notFound(alertId);
  if (stored.status === 'resolved') return { changed: false, stored, message: alreadyClosed(stored, deps.timeZone) };
  if (stored.silence && Date.parse(stored.silence.until) > now) {
    return { changed: false, stored, message: `该告警已静默至 ${formatTime(stored.silence.until, deps.timeZone)}` };
  }
  const at = new Date(now).toISOString();
  const silence: Silence = {
    id: stableId('silence', requestId).slice(0, 10),
    matchers: silenceMatchersFor(stored),
    startsAt: at,
    endsAt: new Date(now + durationMs).toISOString(),
    createdBy: by,
    reason: reason || `静默告警 ${alertId}`,
    createdAt: at,
  };
  await deps.silences.create(silence);
  const updated = await deps.repo.recordSilence(
    alertId,
    { id: silence.id, until: silence.endsAt, by },
    { at, event: 'silenced', detail: `静默 ${silence.id} 至 ${silence.endsAt}，操作人：${by.name ?? by.openId}` },
  );
  return {
    changed: true,
    stored: updated ?? stored,
    silence,
    message: `已静默至 ${formatTime(silence.endsAt, deps.timeZone)}（静默 ${silence.id}）`,
  };
}
