import * as z from 'zod';
import { headerColour, severityLabel } from '../../alerts/card.js';
import { severities } from '../../alerts/severity.js';
import { escapeMarkdown, formatDuration, formatTime, noticeCard } from '../../feishu/cards.js';
import {
  distinguishingLabels,
  incidentSeverity,
  isOpen,
  newestMembers,
  type StoredIncident,
} from '../../incidents/model.js';
import { listOpen } from '../../incidents/repository.js';
import { rosterNames, timelineLines } from '../../incidents/timeline.js';
import { draftFromIncident } from '../../kb/capture.js';
import type { Person } from '../../alerts/oncall.js';
import { fingerprint } from '../../alerts/fingerprint.js';
import { stableId } from '../../lambda/ids.js';
import { cardReply, textReply, type ChatopsDeps, type Command, type Invocation } from '../command.js';
import {
  acknowledgeIncident,
  permitted,
  resolveIncidentByHand,
  resolveMembersByHand,
  type Asked,
} from '../incident-actions.js';
import { parseArgs, UsageError } from '../usage.js';
import { draftCard } from './kb.js';

export const incidentId = z.string().regex(/^[0-9a-f]{12}$/, '事件 ID 是 12 位十六进制字符，如 9c2e4b1a7d3f');

/** An incident's id, or one of its alerts': people type whichever they have at hand. */
async function incidentOf(id: string, deps: ChatopsDeps): Promise<string> {
  if (await deps.incidents.get(id)) return id;
  return (await deps.repo.get(id))?.incidentId ?? id;
}

const OPEN_LIMIT = 100;

type CardWithBody = { body: { elements: object[] } };

const bySeverity = (a: StoredIncident, b: StoredIncident) =>
  severities.indexOf(incidentSeverity(a)) - severities.indexOf(incidentSeverity(b)) ||
  b.updatedAt.localeCompare(a.updatedAt);

/** Open incidents (triggered and acknowledged), worst first. */
export const openIncidents = async (deps: ChatopsDeps, service?: string) =>
  (await listOpen(deps.incidents, { limit: OPEN_LIMIT, service })).sort(bySeverity);

export function incidentLine(incident: StoredIncident, now: number): string {
  const silenced = incident.silence && Date.parse(incident.silence.until) > now;
  const flags = [incident.state === 'acknowledged' ? '已确认' : '', silenced ? '已静默' : '']
    .filter(Boolean)
    .join('、');
  const what = `**${escapeMarkdown(incident.title)}** · ${escapeMarkdown(incident.service)}`;
  const lasted = formatDuration(now - Date.parse(incident.openedAt));
  const counts = `${incident.firing} 条触发`;
  const severity = severityLabel[incidentSeverity(incident)];
  const line = `- [${severity}] ${what} · ${counts} · 已持续 ${lasted} · \`${incident.incidentId}\``;
  return flags ? `${line}（${flags}）` : line;
}

/** Acknowledges an incident from chat and brings its cards up to date; the reply says what happened. */
export async function acknowledgeFromChat(id: string, asked: Asked, deps: ChatopsDeps) {
  const outcome = await acknowledgeIncident(id, asked, deps);
  if (outcome.changed && outcome.incident) await deps.syncCards(outcome.incident);
  return textReply(outcome.changed ? `已确认事件 ${id}：重复提醒和升级已停止` : outcome.message);
}

/**
 * Resolves an incident from chat, with its firing alerts, and brings its cards up to date. With a note, what was
 * learned is offered to the knowledge base as a draft.
 */
export async function resolveFromChat(id: string, asked: Asked, note: string | undefined, deps: ChatopsDeps) {
  const outcome = await resolveIncidentByHand(id, asked, note, deps);
  if (!outcome.changed || !outcome.incident) return textReply(outcome.message);
  await resolveMembersByHand(outcome.incident, asked.by, deps.repo, new Date(deps.now()).toISOString());
  await deps.syncCards(outcome.incident);
  const done = `已解决事件 ${id}。${outcome.message.replace(/^已标记为解决；/, '')}`;
  if (!note || !deps.knowledge) return textReply(done);
  const draft = await draftFromIncident(outcome.incident, note, deps.model);
  await deps.incidents.recordDraft(id, draft);
  const card = draftCard(id, draft) as CardWithBody;
  card.body.elements.unshift({ tag: 'markdown', content: escapeMarkdown(done) });
  return cardReply(card);
}

function showIncident(incident: StoredIncident, deps: ChatopsDeps): object {
  const time = (iso?: string) => formatTime(iso, deps.timeZone);
  const state = { triggered: '处理中', acknowledged: '已确认', resolved: '已恢复' }[incident.state];
  const severity = incidentSeverity(incident);
  const shown = distinguishingLabels(Object.values(incident.members)).slice(0, 3);
  const members = newestMembers(incident, 10).map((member) => {
    const labels = shown.map((key) => member.labels[key] && `${key}=${member.labels[key]}`).filter(Boolean);
    const done = member.status === 'resolved' ? '（已恢复）' : '';
    return `- ${escapeMarkdown([member.name, ...labels].join(' · '))} · \`${member.alertId}\`${done}`;
  });
  const lines = [
    `**状态**：${state} · ${severityLabel[severity]} · ${incident.firing} 条触发中，${incident.resolved} 条已恢复`,
    `**服务**：${escapeMarkdown(incident.service)}　**开始**：${time(incident.openedAt)}`,
    ...(incident.resolvedAt ? [`**结束**：${time(incident.resolvedAt)}`] : []),
    '',
    '**告警**（最新 10 条）：',
    ...members,
    '',
    '**时间线**（最近 15 条）：',
    ...timelineLines(incident.timeline, {
      timeZone: deps.timeZone,
      names: rosterNames(deps.config.teams.values()),
      last: 15,
    }),
  ];
  const colour = headerColour[isOpen(incident) ? severity : 'resolved'];
  const detail = deps.detailLink?.('incidents', incident.incidentId);
  return noticeCard(`事件 ${incident.incidentId}：${incident.title}`, lines, colour, [
    { text: '查看详情', url: detail },
  ]);
}

/**
 * Escalates an incident from chat to its next level now, whatever its timers say; the request goes on the timeline
 * first, so the record says who asked even if the page then fails (it is retried like any other).
 */
export async function escalateFromChat(id: string, asked: Asked, deps: ChatopsDeps) {
  const outcome = await permitted('escalate', id, asked, deps, async (incident, by) => {
    if (!isOpen(incident)) return { changed: false, incident, message: `事件 ${id} 已经结束，不需要升级` };
    const at = new Date(deps.now()).toISOString();
    await deps.incidents.appendTimeline(id, [
      { at, event: 'escalate_requested', detail: `请求升级：${by.name ?? by.openId}`, actor: by.openId },
    ]);
    const { incident: after, changed, paged } = await deps.escalateNow(incident);
    if (changed) return { changed, incident: after, message: `已升级事件 ${id}：已呼叫 ${paged}` };
    const progress = after.escalation;
    const busy = progress && progress.pagedStep < progress.step;
    const message = busy ? `事件 ${id} 正在呼叫中，请稍后再试` : `事件 ${id} 已升级到最后一级，没有更高的级别了`;
    return { changed, incident: after, message };
  });
  if (outcome.changed && outcome.incident) await deps.syncCards(outcome.incident);
  return textReply(outcome.message);
}

/**
 * Names the incident's commander (in its war room, or with its id), with the same permit as acknowledging it: the
 * people who respond to it. The cards show them, and the room adds them if they are not in it.
 */
async function nameCommander(id: string, commander: Person | undefined, asked: Asked, deps: ChatopsDeps) {
  if (!commander) return textReply('请 @ 要担任指挥官的人，例如：/incident commander @张伟');
  const who = { openId: commander.openId, name: commander.name };
  const outcome = await permitted('ack', id, asked, deps, async (incident, by) => {
    const at = new Date(deps.now()).toISOString();
    const entry = {
      at,
      event: 'commander',
      detail: `${by.name ?? by.openId} 指定 ${who.name} 为指挥官`,
      actor: by.openId,
    };
    const after = await deps.incidents.recordCommander(id, who, entry);
    if (!after) return { changed: false, incident, message: `事件 ${id} 已经结束，不需要指挥官` };
    return { changed: true, incident: after, message: `已指定 ${who.name} 为事件 ${id} 的指挥官` };
  });
  if (outcome.changed && outcome.incident) await deps.syncCards(outcome.incident);
  return textReply(outcome.message);
}

/**
 * A status update: noted on the timeline (the war room gets it with the rest), and posted under the incident's card
 * in each of its route's chats, where those not in the room follow it.
 */
async function postUpdate(id: string, text: string, asked: Asked, deps: ChatopsDeps) {
  const outcome = await permitted('ack', id, asked, deps, async (incident, by) => {
    const at = new Date(deps.now()).toISOString();
    const who = by.name ?? by.openId;
    await deps.incidents.appendTimeline(id, [
      { at, event: 'status_update', detail: `${who}：${text}`, actor: by.openId },
    ]);
    const room = incident.warRoom?.chatId && `chat:${incident.warRoom.chatId}`;
    const chats = Object.entries(incident.notifications).filter(
      ([target]) => target.startsWith('chat:') && target !== room,
    );
    const update = `📢 事件进展（${who}）：${text}`;
    const posted = await Promise.allSettled(
      chats.map(([target, messageId]) =>
        deps.messenger.reply(
          messageId,
          { kind: 'text', text: update },
          stableId(id, 'update', asked.requestId, target),
        ),
      ),
    );
    const failed = posted.filter((result) => result.status === 'rejected').length;
    if (failed) deps.log.warn('status update not posted everywhere', { incidentId: id, failed });
    const where = chats.length ? `，已同步到 ${chats.length - failed} 个告警群` : '';
    return { changed: true, incident, message: `已记录事件 ${id} 的进展${where}` };
  });
  if (outcome.changed && outcome.incident) await deps.syncCards(outcome.incident);
  return textReply(outcome.message);
}

/** The service a declared incident is under: routes can match it (`service: [人工宣布]`). */
export const DECLARED_SERVICE = '人工宣布';

/**
 * Declares an incident from chat: a critical alert of the title, from the `chat` source, raised as a source would
 * raise it, so it is routed, carded, paged and given its war room like any other; it stays open until someone resolves
 * it. A redelivered message raises the same alert (its id comes from the message), which dedup absorbs.
 */
async function declare(title: string, invocation: Invocation, deps: ChatopsDeps) {
  const at = new Date(deps.now()).toISOString();
  const who = invocation.actor.name ?? invocation.actor.openId;
  await deps.raiseAlert({
    eventId: stableId('declare', invocation.messageId),
    source: 'chat',
    fingerprint: fingerprint('chat', { declared: invocation.messageId }),
    status: 'firing',
    severity: 'critical',
    name: title,
    service: DECLARED_SERVICE,
    summary: `由 ${who} 在群聊中宣布`,
    labels: { declared_by: invocation.actor.openId },
    annotations: {},
    startsAt: at,
    receivedAt: at,
  });
  return textReply(`已宣布事件「${title}」：卡片、加急和作战室随后就到`);
}

const usage = {
  declare: '/incident declare <标题>',
  list: '/incident list',
  show: '/incident show <事件ID>',
  ack: '/incident ack <事件ID或告警ID>',
  resolve: '/incident resolve <事件ID或告警ID> [处理说明]（作战室内可省略 ID）',
  escalate: '/incident escalate <事件ID或告警ID>',
  commander: '/incident commander [事件ID] @某人（作战室内可省略 ID）',
  update: '/incident update [事件ID] <进展>（作战室内可省略 ID）',
};

/**
 * The incident a command in chat is about, and the words after it: the id it starts with, or in a war room, the
 * room's incident when it starts with none.
 */
async function incidentHere(words: string[], chatId: string, deps: ChatopsDeps, form: string) {
  const [first, ...rest] = words;
  if (first && incidentId.safeParse(first).success) return { id: await incidentOf(first, deps), rest };
  const room = await deps.incidents.incidentForWarRoom(chatId);
  if (room) return { id: room, rest: words };
  throw new UsageError('缺少事件 ID（只有在事件的作战室里才可以省略）', form);
}

export const incident: Command = {
  name: 'incident',
  usage: Object.values(usage),
  summary: '宣布、查看、确认、解决、升级事件（一组相关的告警，一张卡片），在作战室里指定指挥官、同步进展',
  example: '/incident ack 9c2e4b1a7d3f',
  async run(invocation, deps) {
    const { args, actor, messageId, chatId, mentioned } = invocation;
    const asked = { by: actor, requestId: messageId };
    const [sub, ...rest] = args;
    switch (sub) {
      case 'declare': {
        const title = rest.join(' ').trim();
        if (!title) throw new UsageError('缺少事件标题', usage.declare);
        if (title.length > 100) throw new UsageError('标题最长 100 个字符', usage.declare);
        return declare(title, invocation, deps);
      }
      case 'list': {
        parseArgs(z.tuple([]), rest, usage.list);
        const open = await openIncidents(deps);
        if (!open.length) return textReply('当前没有进行中的事件 ✅');
        const lines = open.slice(0, 30).map((entry) => incidentLine(entry, deps.now()));
        return cardReply(noticeCard(`进行中的事件（${open.length}）`, lines, headerColour[incidentSeverity(open[0]!)]));
      }
      case 'show': {
        const [id] = parseArgs(z.tuple([incidentId]), rest, usage.show);
        const found = await deps.incidents.get(id);
        return found ? cardReply(showIncident(found, deps)) : textReply(`找不到事件 ${id}`);
      }
      case 'ack': {
        const [id] = parseArgs(z.tuple([incidentId]), rest, usage.ack);
        return acknowledgeFromChat(await incidentOf(id, deps), asked, deps);
      }
      case 'resolve': {
        const { id, rest: note } = await incidentHere(rest, chatId, deps, usage.resolve);
        return resolveFromChat(id, asked, note.join(' ') || undefined, deps);
      }
      case 'commander': {
        const { id } = await incidentHere(
          rest.filter((word) => !word.startsWith('@')),
          chatId,
          deps,
          usage.commander,
        );
        return nameCommander(id, mentioned?.[0], asked, deps);
      }
      case 'update': {
        const { id, rest: words } = await incidentHere(rest, chatId, deps, usage.update);
        if (!words.length) throw new UsageError('缺少进展内容', usage.update);
        return postUpdate(id, words.join(' ').slice(0, 1000), asked, deps);
      }
      case 'escalate': {
        const [id] = parseArgs(z.tuple([incidentId]), rest, usage.escalate);
        return escalateFromChat(await incidentOf(id, deps), asked, deps);
      }
      default:
        throw new UsageError(sub ? `不认识的子命令 ${sub}` : '缺少子命令', this.usage.join('\n'));
    }
  },
};
