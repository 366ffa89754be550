import { noticeCard } from '../feishu/cards.js';
import { cardReply, type Command } from './command.js';
import { alert, status } from './commands/alerts.js';
import { incident } from './commands/incidents.js';
import { automationCommands } from './commands/automation.js';
import { kb } from './commands/kb.js';
import { oncall } from './commands/oncall.js';
import { report } from './commands/report.js';
import { silence } from './commands/silence.js';

/*
 * Every chat command, in the order /help lists them. A new command is a file in commands/ and one entry here.
 */

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
    const shortForms =
      '简写：`/ack <ID>` 即 `/incident ack`，`/resolve <ID> [说明]` 即 `/incident resolve`（事件 ID 或其中任一告警的 ID）。';
    return cardReply(
      noticeCard('OpenClaw 命令', [...lines, '', shortForms, '在群里使用时请先 @ 机器人；私聊可直接输入。'], 'blue'),
    );
  },
};

export const commands: Command[] = [help, status, incident, alert, oncall, silence, report, ...automationCommands, kb];

export const commandNames = commands.map((command) => command.name);

/** Short forms people type at 3 a.m.: `/ack <id>` is `/incident ack <id>`. */
export const aliases: Record<string, { command: string; prefix: string[] }> = {
  ack: { command: 'incident', prefix: ['ack'] },
  resolve: { command: 'incident', prefix: ['resolve'] },
};

export const findCommand = (name: string) => commands.find((command) => command.name === name);
