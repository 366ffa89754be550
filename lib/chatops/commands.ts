import * as z from 'zod';
import type { AlertingConfig } from '../alerts/config.js';
import { onCallAt, type Team } from '../alerts/oncall.js';
import {
  describeSilence,
  isActive,
  parseSilenceArgs,
  silencedBy,
  SilenceArgsError,
  type Silence,
} from '../alerts/silences.js';
import { severities, type Severity } from '../alerts/model.js';
import { occurrences, type Actor, type StoredAlert } from '../alerts/repository.js';
import { stableId } from '../lambda/ids.js';
import { headerColour, severityLabel } from '../alerts/card.js';
import { escapeMarkdown, formatTime, noticeCard } from '../feishu/cards.js';
import type { OutgoingMessage } from '../feishu/messenger.js';
import type { Logger } from '../lambda/logger.js';
import { acknowledgeAlert, resolveAlertByHand, type AlertActionDeps } from './alert-actions.js';
import { automationCommands, type ChatAutomation } from './automation-commands.js';
import { draftCard, kb } from './kb-commands.js';
import { draftFromIncident } from '../kb/capture.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import type { LanguageModel } from '../kb/answer.js';
import { parseArgs, UsageError } from './usage.js';

export interface ChatopsDeps extends AlertActionDeps {
  config: AlertingConfig;
  /** Absent where automation is not configured: its commands then say so. */
  automation?: ChatAutomation;
  /** Absent where no knowledge base is configured: questions are answered that it is not. */
  knowledge?: KnowledgeBase;
  /** Writes answers from the knowledge base; without it, answers are the best passages. */
  model?: LanguageModel;
  /** Brings every card of an alert in line with its state, after a command changed it. */
  syncCards(stored: StoredAlert): Promise<void>;
  log: Logger;
}

/** One command as typed: who, where, and the words after the command name. */
export interface Invocation {
  actor: Actor;
  messageId: string;
  chatId: string;
  args: string[];
}

export interface Command {
  name: string;
  /** One line per form, e.g. `/alert ack <告警ID>`. */
  usage: string[];
  summary: string;
  example: string;
  /** The reply; undefined when the command has answered by itself (a request's card). */
  run(invocation: Invocation, deps: ChatopsDeps): Promise<OutgoingMessage | undefined>;
}

const text = (value: string): OutgoingMessage => ({ kind: 'text', text: value });
const card = (value: object): OutgoingMessage => ({ kind: 'card', card: value });

const alertId = z.string().regex(/^[0-9a-f]{12}$/, '告警 ID 是 12 位十六进制字符，如 3f9a0c1b2d4e');
const serviceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, '服务名只能包含字母、数字、点、下划线和连字符');
/** A command's one optional argument (a service, a team). */
const optionalArg = (schema: z.ZodType<string>, args: string[], usage: string) =>
  (parseArgs(z.tuple([schema]).or(z.tuple([])), args, usage) as [string?])[0];

function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} 小时${minutes % 60 ? ` ${minutes % 60} 分钟` : ''}`;
  return `${Math.floor(hours / 24)} 天`;
}

const bySeverity = (a: StoredAlert, b: StoredAlert) =>
  severities.indexOf(a.severity) - severities.indexOf(b.severity) || b.lastSeenAt.localeCompare(a.lastSeenAt);

function alertLine(stored: StoredAlert, now: number): string {
  const flags = [
    stored.acknowledgedBy ? '已确认' : '',
    stored.silence && Date.parse(stored.silence.until) > now ? '已静默' : '',
  ]
    .filter(Boolean)
    .join('、');
  return `- [${severityLabel[stored.severity]}] **${escapeMarkdown(stored.alert.name)}** · ${escapeMarkdown(stored.alert.service)} · 已持续 ${duration(now - Date.parse(stored.firstSeenAt))} · \`${stored.alertId}\`${flags ? `（${flags}）` : ''}`;
}

/** The timeline's event names (English in the store and logs) as the chat shows them. */
const timelineLabels: Record<string, string> = {
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
  muted: '屏蔽',
  self_heal: '自愈',
  stale_firing: '过期的触发通知',
  stale_resolved: '过期的恢复通知',
};

const OPEN_LIMIT = 100;
const SHOWN = 15;

async function openAlerts(deps: ChatopsDeps, service?: string) {
  return (await deps.repo.list('firing', { limit: OPEN_LIMIT, service })).sort(bySeverity);
}

const status: Command = {
  name: 'status',
  usage: ['/status [服务名]'],
  summary: '当前未恢复的告警（按级别统计）和最近恢复的告警',
  example: '/status payments',
  async run({ args }, deps) {
    const service = optionalArg(serviceName, args, this.usage[0]!);
    const now = deps.now();
    const open = await openAlerts(deps, service);
    const recent = await deps.repo.list('resolved', { limit: 5, service });
    const counts = severities
      .map((severity) => `${severityLabel[severity]} ${open.filter((a) => a.severity === severity).length}`)
      .join(' · ');
    const lines = [
      `**未恢复**：${open.length}${open.length >= OPEN_LIMIT ? '+' : ''}（${counts}）`,
      ...open.slice(0, SHOWN).map((stored) => alertLine(stored, now)),
      ...(open.length > SHOWN ? [`……另有 ${open.length - SHOWN} 条，用 /alert list 查看`] : []),
      '',
      `**最近恢复**：${recent.length ? '' : '无'}`,
      ...recent.map(
        (stored) =>
          `- ${escapeMarkdown(stored.alert.name)} · ${escapeMarkdown(stored.alert.service)} · ${formatTime(stored.resolvedAt, deps.timeZone)} ${stored.resolvedBy ? '人工解决' : '自动恢复'} · \`${stored.alertId}\``,
      ),
    ];
    const worst: Severity | undefined = open[0]?.severity;
    return card(noticeCard(`系统状态${service ? `：${service}` : ''}`, lines, worst ? headerColour[worst] : 'green'));
  },
};

const alertUsage = {
  list: '/alert list',
  show: '/alert show <告警ID>',
  ack: '/alert ack <告警ID>',
  resolve: '/alert resolve <告警ID> [处理说明]',
};

const alert: Command = {
  name: 'alert',
  usage: Object.values(alertUsage),
  summary: '查看、确认、解决告警',
  example: '/alert ack 3f9a0c1b2d4e',
  async run({ args, actor }, deps) {
    const [sub, ...rest] = args;
    const now = deps.now();
    switch (sub) {
      case 'list': {
        parseArgs(z.tuple([]), rest, alertUsage.list);
        const open = await openAlerts(deps);
        if (!open.length) return text('当前没有未恢复的告警 ✅');
        return card(
          noticeCard(
            `未恢复的告警（${open.length}）`,
            open.slice(0, 30).map((stored) => alertLine(stored, now)),
            headerColour[open[0]!.severity],
          ),
        );
      }
      case 'show': {
        const [id] = parseArgs(z.tuple([alertId]), rest, alertUsage.show);
        const stored = await deps.repo.get(id);
        if (!stored) return text(`找不到告警 ${id}`);
        const lines = [
          `**状态**：${stored.status === 'firing' ? '触发中' : '已恢复'} · ${severityLabel[stored.severity]} · 发生 ${occurrences(stored)} 次`,
          `**服务**：${escapeMarkdown(stored.alert.service)}　**主机**：${escapeMarkdown(stored.alert.host ?? '-')}`,
          `**摘要**：${escapeMarkdown(stored.alert.summary)}`,
          `**首次发生**：${formatTime(stored.firstSeenAt, deps.timeZone)}　**最近发生**：${formatTime(stored.lastSeenAt, deps.timeZone)}`,
          '',
          '**时间线**（最近 10 条）：',
          ...stored.timeline
            .slice(-10)
            .map(
              (entry) =>
                `- ${formatTime(entry.at, deps.timeZone)} ${escapeMarkdown(timelineLabels[entry.event] ?? entry.event)}${entry.detail ? `：${escapeMarkdown(entry.detail)}` : ''}`,
            ),
        ];
        return card(
          noticeCard(
            `告警 ${stored.alertId}：${stored.alert.name}`,
            lines,
            headerColour[stored.status === 'resolved' ? 'resolved' : stored.severity],
          ),
        );
      }
      case 'ack': {
        const [id] = parseArgs(z.tuple([alertId]), rest, alertUsage.ack);
        const outcome = await acknowledgeAlert(id, actor, deps);
        if (outcome.changed && outcome.stored) await deps.syncCards(outcome.stored);
        return text(outcome.changed ? `已确认告警 ${id}：重复提醒已停止` : outcome.message);
      }
      case 'resolve': {
        const [id, ...note] = parseArgs(z.tuple([alertId]).rest(z.string()), rest, alertUsage.resolve);
        const explanation = note.join(' ') || undefined;
        const outcome = await resolveAlertByHand(id, actor, explanation, deps);
        if (outcome.changed && outcome.stored) await deps.syncCards(outcome.stored);
        if (!outcome.changed || !outcome.stored) return text(outcome.message);
        const done = `已解决告警 ${id}。${outcome.message.replace(/^已标记为解决；/, '')}`;
        if (!explanation || !deps.knowledge) return text(done);
        // Resolved with a note: what was learned is offered to the knowledge base as a draft.
        const draft = await draftFromIncident(outcome.stored, explanation, deps.model);
        await deps.repo.recordDraft(id, draft);
        const card = draftCard(id, draft) as { body: { elements: object[] } };
        card.body.elements.unshift({ tag: 'markdown', content: escapeMarkdown(done) });
        return { kind: 'card', card };
      }
      default:
        throw new UsageError(sub ? `不认识的子命令 ${sub}` : '缺少子命令', this.usage.join('\n'));
    }
  },
};

function describeTeam(team: Team, now: number, timeZone: string): string {
  const person = onCallAt(team, now);
  const { rotation } = team;
  const override = rotation.overrides.find((entry) => entry.from <= now && now < entry.to);
  // The shift boundary after now; an override ends earlier if it does.
  const shiftEnds =
    rotation.handoffAt + (Math.floor((now - rotation.handoffAt) / rotation.shiftMs) + 1) * rotation.shiftMs;
  const until = override ? Math.min(override.to, shiftEnds) : shiftEnds;
  const next = onCallAt(team, until);
  const mentionOf = (openId: string, name: string) => `<at user_id="${openId}">${name}</at>`;
  return `${team.name}：${person ? mentionOf(person.openId, person.name) : '无人值班'}${override ? '（临时替班）' : ''}，至 ${formatTime(new Date(until).toISOString(), timeZone)}；下一班：${next ? next.name : '无'}`;
}

const oncall: Command = {
  name: 'oncall',
  usage: ['/oncall [团队]'],
  summary: '现在谁在值班、到什么时候、下一班是谁',
  example: '/oncall sre',
  async run({ args }, deps) {
    const name = optionalArg(z.string(), args, this.usage[0]!);
    const teams = deps.config.teams;
    if (name && !teams.has(name))
      throw new UsageError(
        `没有名为 ${name} 的团队（已配置：${[...teams.keys()].join('、') || '无'}）`,
        this.usage[0]!,
      );
    const chosen = name ? [teams.get(name)!] : [...teams.values()];
    if (!chosen.length) return text('还没有配置值班表（config/oncall.yaml）');
    return text(chosen.map((team) => describeTeam(team, deps.now(), deps.timeZone)).join('\n'));
  },
};

const silenceUsage = {
  create: '/silence <标签=值…> <时长> [原因]',
  list: '/silence list',
  expire: '/silence expire <静默ID>',
};

const silence: Command = {
  name: 'silence',
  usage: Object.values(silenceUsage),
  summary: '按标签静默告警（静默期间告警照常记录和计数，但不发送通知）',
  example: '/silence service=payments env=prod 2h 数据库迁移',
  async run({ args, actor, messageId }, deps) {
    const now = deps.now();
    const [sub, ...rest] = args;
    if (sub === 'list') {
      parseArgs(z.tuple([]), rest, silenceUsage.list);
      const active = (await deps.silences.list()).filter(
        (entry) => isActive(entry, now) || Date.parse(entry.startsAt) > now,
      );
      if (!active.length) return text('当前没有生效的静默');
      active.sort((a, b) => a.endsAt.localeCompare(b.endsAt));
      return card(
        noticeCard(
          `生效中的静默（${active.length}）`,
          active.map(
            (entry) =>
              `- \`${entry.id}\` ${escapeMarkdown(describeSilence(entry))} · 至 ${formatTime(entry.endsAt, deps.timeZone)} · ${escapeMarkdown(entry.createdBy.name ?? entry.createdBy.openId)}${entry.reason ? ` · ${escapeMarkdown(entry.reason)}` : ''}`,
          ),
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
      const ended = await deps.silences.expire(id, actor, new Date(now).toISOString());
      return text(ended ? `已解除静默 ${id}（${describeSilence(ended)}）` : `静默 ${id} 不存在或已结束`);
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
    await deps.silences.create(created);
    const open = await openAlerts(deps);
    const matched = open.filter((stored) => silencedBy(stored.alert, [created], now));
    return text(
      `已创建静默 ${created.id}：${describeSilence(created)}，至 ${formatTime(created.endsAt, deps.timeZone)}（${duration(request.durationMs)}）` +
        `${created.reason ? `，原因：${created.reason}` : ''}。当前匹配 ${matched.length} 条未恢复的告警。解除：/silence expire ${created.id}`,
    );
  },
};

const help: Command = {
  name: 'help',
  usage: ['/help'],
  summary: '所有命令、用法和示例',
  example: '/help',
  async run() {
    const lines = commands.flatMap((command) => [
      `**/${command.name}**：${command.summary}`,
      ...command.usage.map((usage) => `　用法：\`${usage}\``),
      `　示例：\`${command.example}\``,
    ]);
    const shortForms = '简写：`/ack <告警ID>` 即 `/alert ack`，`/resolve <告警ID> [说明]` 即 `/alert resolve`。';
    return card(
      noticeCard('OpenClaw 命令', [...lines, '', shortForms, '在群里使用时请先 @ 机器人；私聊可直接输入。'], 'blue'),
    );
  },
};

export const commands: Command[] = [help, status, alert, oncall, silence, ...automationCommands, kb];

export const commandNames = commands.map((command) => command.name);

/** Short forms people type at 3 a.m.: `/ack <id>` is `/alert ack <id>`. */
export const aliases: Record<string, { command: string; prefix: string[] }> = {
  ack: { command: 'alert', prefix: ['ack'] },
  resolve: { command: 'alert', prefix: ['resolve'] },
};

export const findCommand = (name: string) => commands.find((command) => command.name === name);
