import * as z from 'zod';
import { onCallAt, type Team } from '../../alerts/oncall.js';
import { formatTime } from '../../feishu/cards.js';
import { textReply, type Command } from '../command.js';
import { optionalArg, UsageError } from '../usage.js';

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

export const oncall: Command = {
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
    if (!chosen.length) return textReply('还没有配置值班表（config/oncall.yaml）');
    return textReply(chosen.map((team) => describeTeam(team, deps.now(), deps.timeZone)).join('\n'));
  },
};
