import type { Team } from '../alerts/oncall.js';
import type { TimelineEntry } from '../alerts/repository.js';
import type { Severity } from '../alerts/severity.js';
import { clip, noticeCard } from '../feishu/cards.js';
import { isRetryable, type Messenger } from '../feishu/messenger.js';
import { stableId } from '../lambda/ids.js';
import type { Logger } from '../lambda/logger.js';
import { twoDigits, wallClock } from '../lambda/wall-clock.js';
import { audibleSeverity, type StoredIncident, type WarRoom } from './model.js';
import type { IncidentRepository } from './repository.js';
import { rosterNames, timelineLines } from './timeline.js';

export interface WarRoomDeps {
  messenger: Messenger;
  incidents: IncidentRepository;
  teams: Map<string, Team>;
  /** The severities whose incidents get a room where their route does not say (routing.yaml's `collaboration`). */
  warRoomSeverities: Severity[];
  timeZone: string;
  now: () => string;
  log: Logger;
}

/** Feishu takes 50 people per call, when a chat is created and when people are added to it. */
const MEMBERS_PER_CALL = 50;
/** Lines of timeline in one post to the room: a room opened late gets the latest, and says how many came before. */
const POSTED_LINES = 30;

/** How a room's timeline posts are titled, before the incident's title. */
export const WAR_ROOM_POST = '事件进展 · ';

/** A priority as incident rooms are named by: 紧急 is P1. */
const priority: Record<Severity, string> = { critical: 'P1', warning: 'P2', info: 'P3' };

/** Whether the incident's room is due: its worst audible severity opens one on its route, and it has none yet. */
export function warRoomDue(incident: StoredIncident, severities: Severity[]): boolean {
  if (incident.warRoom?.chatId || incident.warRoom?.failed || incident.state === 'resolved') return false;
  const severity = audibleSeverity(incident);
  return severity !== undefined && (incident.plan.warRoom ?? severities).includes(severity);
}

/** `[P1] 支付服务不可用 12-02 14:22`: what it is, how bad, and when it started, in the display time zone. */
export function warRoomName(incident: StoredIncident, timeZone: string): string {
  const { month, day, hour, minute } = wallClock(incident.openedAt, timeZone);
  const severity = audibleSeverity(incident) ?? 'critical';
  const when = `${twoDigits(month)}-${twoDigits(day)} ${twoDigits(hour)}:${twoDigits(minute)}`;
  return `[${priority[severity]}] ${clip(incident.title, 40)} ${when}`;
}

/** Who belongs in the room: the on-call person, the route's team, everyone paged so far, and the commander. */
function wantedMembers(incident: StoredIncident, teams: Map<string, Team>): string[] {
  const team = incident.plan.team ? teams.get(incident.plan.team) : undefined;
  return [
    ...new Set([
      ...(incident.plan.onCall ? [incident.plan.onCall.openId] : []),
      ...(team?.rotation.members.map((person) => person.openId) ?? []),
      ...incident.timeline.flatMap((entry) => (entry.event === 'paged' && entry.actor ? [entry.actor] : [])),
      ...(incident.commander ? [incident.commander.openId] : []),
    ]),
  ].filter((openId) => /^ou_/.test(openId));
}

/** What a round did to the room: the room as it now is, the timeline entries to note, and whether to try again. */
export interface RoomWork {
  room?: WarRoom;
  entries: TimelineEntry[];
  retry: boolean;
}

/**
 * The room's part of a delivery round before the cards go out, under the round's lease (one worker at a time): opens
 * the room once it is due, with the people who belong in it, and adds those who came since (someone paged at a later
 * level, a new commander). Creation carries Feishu's `uuid`, so a round that dies after creating it and is run again
 * gets the same chat back. A refusal that will not pass (no permission to create chats) is noted on the room and the
 * timeline, and the incident goes on in its route's chats; a failure that may pass is tried again by the next round.
 */
export async function openWarRoom(incident: StoredIncident, deps: WarRoomDeps): Promise<RoomWork> {
  const at = deps.now();
  const wanted = wantedMembers(incident, deps.teams);
  if (warRoomDue(incident, deps.warRoomSeverities)) {
    const name = warRoomName(incident, deps.timeZone);
    const openIds = wanted.slice(0, MEMBERS_PER_CALL);
    try {
      const chatId = await deps.messenger.createChat(
        { name, description: `OpenClaw 事件 ${incident.incidentId}：${clip(incident.title, 100)}`, openIds },
        stableId(incident.incidentId, 'war-room'),
      );
      await deps.incidents.rememberWarRoom(chatId, incident.incidentId);
      deps.log.info('war room opened', { incidentId: incident.incidentId, chatId, members: openIds.length });
      return {
        room: { chatId, name, openedAt: at, members: openIds },
        entries: [{ at, event: 'war_room', detail: `已创建作战室「${name}」` }],
        retry: false,
      };
    } catch (error) {
      deps.log.error('war room not opened', { incidentId: incident.incidentId, error });
      if (isRetryable(error)) return { entries: [], retry: true };
      const reason = clip((error as Error).message, 200);
      return {
        room: { name, members: [], failed: { at, reason } },
        entries: [{ at, event: 'war_room_failed', detail: `作战室创建失败，继续在原群处理：${reason}` }],
        retry: false,
      };
    }
  }
  const room = incident.warRoom;
  const joining = room?.chatId ? wanted.filter((openId) => !room.members.includes(openId)) : [];
  if (!room?.chatId || !joining.length || incident.state === 'resolved') return { entries: [], retry: false };
  const added = joining.slice(0, MEMBERS_PER_CALL);
  try {
    await deps.messenger.addChatMembers(room.chatId, added);
    return { room: { ...room, members: [...room.members, ...added] }, entries: [], retry: false };
  } catch (error) {
    deps.log.warn('war room members not added', { incidentId: incident.incidentId, error });
    return { entries: [], retry: isRetryable(error) };
  }
}

const entryKey = (entry: TimelineEntry) => stableId(entry.at, entry.event, entry.detail ?? '', entry.actor ?? '');

/**
 * The room's part of a round after the cards went out: pins the incident's card in it, and posts what happened since
 * the last post (every timeline entry: escalations, acknowledgements, members, actions, updates) as one message, so a
 * busy incident costs the room a message a round, not one per entry. The post carries a `uuid` made from what it
 * posts, so a round run again posts nothing twice.
 */
export async function followWarRoom(
  incident: StoredIncident,
  roundEntries: TimelineEntry[],
  deps: WarRoomDeps,
): Promise<RoomWork> {
  const room = incident.warRoom;
  if (!room?.chatId) return { entries: [], retry: false };
  let next: WarRoom = room;
  let retry = false;
  const card = incident.notifications[`chat:${room.chatId}`];
  if (card && room.pinned !== card) {
    try {
      await deps.messenger.pinMessage(card);
      next = { ...next, pinned: card };
    } catch (error) {
      deps.log.warn('war room card not pinned', { incidentId: incident.incidentId, error });
      retry ||= isRetryable(error);
    }
  }
  const posted = room.posted;
  const fresh = [...incident.timeline, ...roundEntries]
    .sort((a, b) => a.at.localeCompare(b.at))
    .filter(
      (entry) => !posted || entry.at > posted.at || (entry.at === posted.at && !posted.keys.includes(entryKey(entry))),
    );
  if (fresh.length) {
    const last = fresh.at(-1)!.at;
    const earlier = fresh.length - POSTED_LINES;
    const lines = [
      ...(earlier > 0 ? [`（之前还有 ${earlier} 条，见事件详情）`] : []),
      ...timelineLines(fresh, { timeZone: deps.timeZone, names: rosterNames(deps.teams.values()), last: POSTED_LINES }),
    ];
    try {
      await deps.messenger.sendCard(
        { kind: 'chat', id: room.chatId },
        noticeCard(`${WAR_ROOM_POST}${clip(incident.title, 40)}`, lines, 'grey'),
        stableId(incident.incidentId, 'room-post', entryKey(fresh[0]!), entryKey(fresh.at(-1)!)),
      );
      const keys = fresh.filter((entry) => entry.at === last).map(entryKey);
      next = { ...next, posted: { at: last, keys: [...(posted?.at === last ? posted.keys : []), ...keys] } };
    } catch (error) {
      deps.log.warn('war room timeline not posted', { incidentId: incident.incidentId, error });
      retry ||= isRetryable(error);
    }
  }
  return { room: next === room ? undefined : next, entries: [], retry };
}
