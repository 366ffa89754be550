import type { Team } from '../alerts/oncall.js';
import type { TimelineEntry } from '../alerts/repository.js';
import { escapeMarkdown, formatTime } from '../feishu/cards.js';

/** The timeline's event names (English in the store and logs) as people read them. */
const labels: Record<string, string> = {
  opened: '触发',
  routed: '路由',
  notified: '已通知',
  paged: '加急',
  page_failed: '加急失败',
  repeated: '重复',
  reminded: '提醒',
  acknowledged: '确认',
  resolved: '恢复',
  resolved_by_hand: '人工解决',
  silenced: '静默',
  silence_ended: '解除静默',
  muted: '屏蔽',
  unmuted: '解除屏蔽',
  card_failed: '卡片发送失败',
  self_heal: '自愈',
  escalated: '升级',
  escalate_requested: '手动升级',
  member_added: '新告警',
  member_resolved: '告警恢复',
  reopened: '重新触发',
  flapping: '抖动',
  stale_firing: '过期的触发通知',
  stale_resolved: '过期的恢复通知',
  war_room: '作战室',
  war_room_failed: '作战室创建失败',
  commander: '指挥官',
  status_update: '进展',
  self_heal_fixed: '自愈见效',
  self_heal_failed: '自愈未见效',
  action: '执行操作',
  proposal: '模型建议',
  register_failed: '登记表写入失败',
};

/**
 * Notes an entry on an incident's timeline and has its worker come round, so its war room hears of it now rather than
 * at the incident's next change (the root wires it: the timeline write, then a wakeup).
 */
export type IncidentNote = (incidentId: string, entry: TimelineEntry) => Promise<void>;

/** An event's name as people read it; an event this version does not know is shown as stored. */
export const eventLabel = (event: string) => labels[event] ?? event;

/** Names from the on-call roster, by open_id. */
export const rosterNames = (teams: Iterable<Team>) =>
  new Map([...teams].flatMap((team) => team.rotation.members.map((person) => [person.openId, person.name] as const)));

/**
 * A timeline as card markdown lines, in Chinese, at the display time zone, with people named from the roster where
 * the store kept only their open_id (a click on a card carries no name).
 */
export function timelineLines(
  entries: TimelineEntry[],
  options: { timeZone: string; names: Map<string, string>; last?: number },
): string[] {
  const named = (text: string) => text.replace(/ou_[A-Za-z0-9_-]+/g, (openId) => options.names.get(openId) ?? openId);
  return entries.slice(-(options.last ?? entries.length)).map((entry) => {
    const label = escapeMarkdown(eventLabel(entry.event));
    const detail = entry.detail ? `：${escapeMarkdown(named(entry.detail))}` : '';
    return `- ${formatTime(entry.at, options.timeZone)} ${label}${detail}`;
  });
}
