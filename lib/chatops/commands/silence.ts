import * as z from 'zod';
import {
  describeSilence,
  isActive,
  parseSilenceArgs,
  silencedBy,
  SilenceArgsError,
  type Silence,
} from '../../alerts/silences.js';
import { escapeMarkdown, formatDuration, formatTime, noticeCard } from '../../feishu/cards.js';
import { stableId } from '../../lambda/ids.js';
import { broadSilencePermit, permitFor, refusal } from '../../incidents/permissions.js';
import { listOpen } from '../../incidents/repository.js';
import { cardReply, textReply, type ChatopsDeps, type Command } from '../command.js';
import { auditAction, type Asked } from '../incident-actions.js';
import { parseArgs, UsageError } from '../usage.js';
import { openAlerts } from './alerts.js';

const silenceUsage = {
  create: '/silence <标签=值…> <时长> [原因]',
  list: '/silence list',
  expire: '/silence expire <静默ID>',
};

export const silence: Command = {
  name: 'silence',
  usage: Object.values(silenceUsage),
  summary: '按标签静默告警（静默期间告警照常记录和计数，但不发送通知）',
  example: '/silence service=payments env=prod 2h 数据库迁移',
  async run({ args, actor, messageId }, deps) {
    const now = deps.now();
    const asked = { by: actor, requestId: messageId };
    const [sub, ...rest] = args;
    if (sub === 'list') {
      parseArgs(z.tuple([]), rest, silenceUsage.list);
      const active = (await deps.silences.list()).filter(
        (entry) => isActive(entry, now) || Date.parse(entry.startsAt) > now,
      );
      if (!active.length) return textReply('当前没有生效的静默');
      active.sort((a, b) => a.endsAt.localeCompare(b.endsAt));
      return cardReply(
        noticeCard(
          `生效中的静默（${active.length}）`,
          active.map((entry) => {
            const by = escapeMarkdown(entry.createdBy.name ?? entry.createdBy.openId);
            const until = formatTime(entry.endsAt, deps.timeZone);
            const why = entry.reason ? ` · ${escapeMarkdown(entry.reason)}` : '';
            return `- \`${entry.id}\` ${escapeMarkdown(describeSilence(entry))} · 至 ${until} · ${by}${why}`;
          }),
          'grey',
        ),
      );
    }
    if (sub === 'expire') {
      const [id] = parseArgs(
        z.tuple([z.string().regex(/^[0-9a-f]{6,16}$/, '静默 ID 见 /silence list')]),
        rest,
        silenceUsage.expire,
      );
      const refused = mayNotSilence(asked, deps);
      if (refused) return textReply(await denied(asked, 'silence.expire', { id }, refused, deps));
      const ended = await deps.silences.expire(id, actor, new Date(now).toISOString());
      if (ended) {
        await endIncidentSilences(id, asked, deps);
        await deps.releaseMutes(new Date(now).toISOString(), `静默 ${id} 已解除`);
      }
      const message = ended ? `已解除静默 ${id}（${describeSilence(ended)}）` : `静默 ${id} 不存在或已结束`;
      await auditAction(deps, asked, 'silence.expire', { id }, { outcome: { changed: Boolean(ended), message } });
      return textReply(message);
    }
    let request: ReturnType<typeof parseSilenceArgs>;
    try {
      request = parseSilenceArgs(args);
    } catch (error) {
      if (error instanceof SilenceArgsError) throw new UsageError(error.message, silenceUsage.create);
      throw error;
    }
    const at = new Date(now).toISOString();
    const created: Silence = {
      // From the message, so a redelivered message makes the same silence rather than a second one.
      id: stableId('silence', messageId).slice(0, 10),
      matchers: request.matchers,
      startsAt: at,
      endsAt: new Date(now + request.durationMs).toISOString(),
      createdBy: actor,
      reason: request.reason,
      createdAt: at,
    };
    const open = await openAlerts(deps);
    const matched = open.filter((stored) => silencedBy(stored.alert, [created], now));
    const what = { id: created.id, matchers: created.matchers, endsAt: created.endsAt, matched: matched.length };
    const { broadSilence } = deps.permissions;
    const broad =
      request.durationMs > broadSilence.longerThanSeconds * 1000 || matched.length > broadSilence.matchingMoreThan;
    const refused =
      mayNotSilence(asked, deps) ??
      (broad ? refusal(broadSilencePermit(deps.permissions), actor, 'broad_silence') : undefined);
    if (refused) {
      const limits = `超过 ${formatDuration(broadSilence.longerThanSeconds * 1000)}或匹配超过 ${broadSilence.matchingMoreThan} 条告警`;
      const why = broad ? `${refused}。该静默${limits}（当前匹配 ${matched.length} 条）` : refused;
      return textReply(await denied(asked, 'silence.create', what, why, deps));
    }
    await deps.silences.create(created);
    await deps.releaseMutes(created.endsAt, `静默 ${created.id} 到期`);
    const until = `${formatTime(created.endsAt, deps.timeZone)}（${formatDuration(request.durationMs)}）`;
    const message =
      `已创建静默 ${created.id}：${describeSilence(created)}，至 ${until}` +
      `${created.reason ? `，原因：${created.reason}` : ''}。` +
      `当前匹配 ${matched.length} 条未恢复的告警。解除：/silence expire ${created.id}`;
    await auditAction(deps, asked, 'silence.create', what, { outcome: { changed: true, message } });
    return textReply(message);
  },
};

/** Silences by labels belong to no one incident: whoever may silence for any on-call team, or by role. */
const mayNotSilence = ({ by }: Asked, deps: ChatopsDeps) =>
  refusal(permitFor('silence', [...deps.config.teams.values()], deps.permissions), by, 'silence');

/** Notes a refusal in the audit log and gives the words for the reply. */
async function denied(asked: Asked, action: string, args: Record<string, unknown>, why: string, deps: ChatopsDeps) {
  await auditAction(deps, asked, action, args, { refused: why });
  return why;
}

/** Open incidents looked at when a silence is expired early: a storm beyond this has more urgent problems. */
const OPEN_INCIDENTS_LIMIT = 500;

/**
 * The incidents silenced by `id` (the card's 静默 button) are silenced no longer: their cards drop 已静默 and offer
 * the button again, and their escalation goes on.
 */
async function endIncidentSilences(id: string, { by }: Asked, deps: ChatopsDeps) {
  const at = new Date(deps.now()).toISOString();
  const entry = {
    at,
    event: 'silence_ended',
    detail: `静默 ${id} 已由${by.name ?? by.openId}提前解除`,
    actor: by.openId,
  };
  for (const incident of await listOpen(deps.incidents, { limit: OPEN_INCIDENTS_LIMIT })) {
    if (incident.silence?.id !== id) continue;
    const updated = await deps.incidents.endSilence(incident.incidentId, id, entry);
    if (updated) await deps.syncCards(updated);
  }
}
