import * as z from 'zod';
import { lastDays, reportOver } from '../../incidents/report-schedule.js';
import { rosterNames } from '../../incidents/timeline.js';
import { cardReply, type Command } from '../command.js';
import { optionalArg } from '../usage.js';

const periods = { '7d': 7, '30d': 30 } as const;
const usage = '/report [7d|30d]';

/** The response-time report of the last 7 or 30 days, in the chat that asks (the weekly one is posted by itself). */
export const report: Command = {
  name: 'report',
  usage: [usage],
  summary: '最近 7 天或 30 天的事件报告：按级别和服务统计、MTTA/MTTR、升级、加急（含夜间）、最吵的告警、自愈成功率',
  example: '/report 30d',
  async run({ args }, deps) {
    const period = optionalArg(z.enum(['7d', '30d']), args, usage) ?? '7d';
    const days = periods[period as keyof typeof periods];
    const names = rosterNames(deps.config.teams.values());
    const card = await reportOver(lastDays(days, deps.now()), `最近 ${days} 天事件报告`, {
      incidents: deps.incidents,
      names,
      timeZone: deps.timeZone,
    });
    return cardReply(card);
  },
};
