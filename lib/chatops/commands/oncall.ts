import * as z from 'zod';
import { wallClock } from '../../lambda/wall-clock.js';
import { onCallAt, type Person, type Team } from '../../alerts/oncall.js';
import { withOverrides } from '../../alerts/overrides.js';
import { formatTime } from '../../feishu/cards.js';
import { stableId } from '../../lambda/ids.js';
import { parseDurationSeconds } from '../../lambda/duration.js';
import { permitFor, refusal } from '../../incidents/permissions.js';
import { textReply, type ChatopsDeps, type Command, type Invocation } from '../command.js';
import { auditAction } from '../incident-actions.js';
import { optionalArg, parseArgs, UsageError } from '../usage.js';

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
  const who = `${person ? mentionOf(person.openId, person.name) : '无人值班'}${override ? '（临时替班）' : ''}`;
  return `${team.name}：${who}，至 ${formatTime(new Date(until).toISOString(), timeZone)}；下一班：${next ? next.name : '无'}`;
}

/** The longest override chat may set: longer swaps belong in config/oncall.yaml. */
const MAX_OVERRIDE_MS = 30 * 86_400_000;

/** The UTC instant of a wall-clock time in `timeZone`. */
function zonedTime(parts: { y: number; mo: number; d: number; h: number; mi: number }, timeZone: string): number {
  const guess = Date.UTC(parts.y, parts.mo - 1, parts.d, parts.h, parts.mi);
  const shown = wallClock(guess, timeZone);
  const offset = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute) - guess;
  return guess - offset;
}

/**
 * When an override ends: a duration (`2h`, `1d12h`), a time of day (`到18:00`, the next one to come) or a local date
 * and time (`到2026-12-03T09:00`), in the display time zone.
 */
export function overrideEnd(text: string, now: number, timeZone: string): number {
  const value = text.replace(/^[到至]/, '');
  const clock = /^(\d{1,2}):(\d{2})$/.exec(value);
  const dated = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})$/.exec(value);
  let end: number;
  if (clock) {
    const [h, mi] = [Number(clock[1]), Number(clock[2])];
    if (h > 23 || mi > 59) throw new Error(`${text} 不是有效的时间`);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(now)
      .split('-')
      .map(Number) as [number, number, number];
    end = zonedTime({ y: today[0], mo: today[1], d: today[2], h, mi }, timeZone);
    if (end <= now) end += 86_400_000;
  } else if (dated) {
    const [y, mo, d, h, mi] = dated.slice(1).map(Number) as [number, number, number, number, number];
    end = zonedTime({ y, mo, d, h, mi }, timeZone);
    if (Number.isNaN(end) || mo > 12 || d > 31 || h > 23 || mi > 59) throw new Error(`${text} 不是有效的时间`);
  } else {
    let seconds: number;
    try {
      seconds = parseDurationSeconds(value);
    } catch {
      throw new Error(`${text} 既不是时长（如 2h、1d）也不是时间（如 到18:00、到2026-12-03T09:00）`);
    }
    end = now + seconds * 1000;
  }
  if (end <= now) throw new Error(`${text} 已经过去了`);
  if (end - now > MAX_OVERRIDE_MS) throw new Error('临时值班最长 30 天；更长的安排请写进 config/oncall.yaml');
  return end;
}

/** The person an argument names: an @mention, an open_id, or a name on the roster. */
function personNamed(arg: string, invocation: Invocation, teams: Map<string, Team>): Person {
  const roster = [...teams.values()].flatMap((team) => team.rotation.members);
  const name = arg.replace(/^@/, '');
  const found =
    invocation.mentioned?.find((person) => person.name === name || person.openId === name) ??
    roster.find((person) => person.openId === name || person.name === name);
  if (found) return roster.find((person) => person.openId === found.openId) ?? found;
  if (/^ou_[A-Za-z0-9_-]+$/.test(name)) return { openId: name, name };
  throw new Error(`不知道 ${arg} 是谁：请 @ 这个人，或写值班表里的名字`);
}

/** The team an override is for: the one named, else the person's only team. */
function teamFor(person: Person, named: string | undefined, teams: Map<string, Team>): string {
  if (named) {
    if (!teams.has(named)) throw new Error(`没有名为 ${named} 的团队（已配置：${[...teams.keys()].join('、')}）`);
    return named;
  }
  const theirs = [...teams.values()].filter((team) => team.rotation.members.some((m) => m.openId === person.openId));
  if (theirs.length === 1) return theirs[0]!.name;
  const options = (theirs.length ? theirs.map((team) => team.name) : [...teams.keys()]).join('、');
  throw new Error(`请指明是哪个团队的值班（${options}）`);
}

const usage = {
  show: '/oncall [团队]',
  override: '/oncall override @某人 <时长或到某时> [团队]',
};

async function override(invocation: Invocation, deps: ChatopsDeps) {
  const [who, until, named] = parseArgs(
    z
      .tuple([z.string(), z.string()])
      .rest(z.string())
      .refine((args) => args.length <= 3, '参数过多'),
    invocation.args.slice(1),
    usage.override,
  ) as [string, string, string?];
  const now = deps.now();
  let person: Person;
  let team: string;
  let to: number;
  try {
    person = personNamed(who, invocation, deps.config.teams);
    team = teamFor(person, named, deps.config.teams);
    to = overrideEnd(until, now, deps.timeZone);
  } catch (error) {
    throw new UsageError((error as Error).message, usage.override);
  }
  const at = new Date(now).toISOString();
  const asked = { by: invocation.actor, requestId: invocation.messageId };
  const what = { team, person: person.openId, to: new Date(to).toISOString() };
  const refused = refusal(
    permitFor('override', [deps.config.teams.get(team)!], deps.permissions),
    asked.by,
    'override',
  );
  if (refused) {
    await auditAction(deps, asked, 'oncall.override', what, { refused });
    return textReply(refused);
  }
  const teams = withOverrides(deps.config.teams, await deps.overrides.current(at));
  const before = onCallAt(teams.get(team)!, now);
  await deps.overrides.create({
    id: stableId('override', invocation.messageId).slice(0, 12),
    team,
    person,
    from: at,
    to: new Date(to).toISOString(),
    by: invocation.actor,
    createdAt: at,
  });
  deps.log.info('on-call override set', { team, person: person.openId, to, by: invocation.actor.openId });
  const instead = before && before.openId !== person.openId ? `（原值班：${before.name}）` : '';
  const message =
    `已设置临时值班：${team} 由 <at user_id="${person.openId}">${person.name}</at> 值班，` +
    `至 ${formatTime(new Date(to).toISOString(), deps.timeZone)}${instead}。新的告警和升级都会找 ${person.name}。`;
  await auditAction(deps, asked, 'oncall.override', what, { outcome: { changed: true, message } });
  return textReply(message);
}

export const oncall: Command = {
  name: 'oncall',
  usage: Object.values(usage),
  summary: '现在谁在值班、到什么时候、下一班是谁；临时换人值班',
  example: '/oncall override @李娜 4h sre',
  async run(invocation, deps) {
    if (invocation.args[0] === 'override') return override(invocation, deps);
    const name = optionalArg(z.string(), invocation.args, usage.show);
    const teams = withOverrides(deps.config.teams, await deps.overrides.current(new Date(deps.now()).toISOString()));
    if (name && !teams.has(name))
      throw new UsageError(`没有名为 ${name} 的团队（已配置：${[...teams.keys()].join('、') || '无'}）`, usage.show);
    const chosen = name ? [teams.get(name)!] : [...teams.values()];
    if (!chosen.length) return textReply('还没有配置值班表（config/oncall.yaml）');
    return textReply(chosen.map((team) => describeTeam(team, deps.now(), deps.timeZone)).join('\n'));
  },
};
