import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../../lib/automation/actions.js';
import type { ChatopsDeps } from '../../../lib/chatops/command.js';
import { findCommand } from '../../../lib/chatops/registry.js';
import { commandFailureReply } from '../../../lib/chatops/replies.js';
import { createLogger } from '../../../lib/lambda/logger.js';

/** The reply to a command whose arguments are refused before it touches anything (no dependencies needed). */
async function replyTo(command: string, ...args: string[]): Promise<string> {
  const error = await findCommand(command)!
    .run({ actor: { openId: 'ou_x' }, messageId: 'om_1', chatId: 'oc_1', args }, {} as ChatopsDeps)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const reply = commandFailureReply(error, command, 1, createLogger());
  return reply?.kind === 'text' ? reply.text : '';
}

describe('replies to bad arguments are Chinese only, and name the argument', () => {
  it('says which argument is too long, as the usage line calls it', async () => {
    expect(await replyTo('deploy', 'payments', `registry.example.com/${'a'.repeat(520)}:1.0`)).toBe(
      '镜像：最长 512 个字符。\n用法：/deploy <服务名> <镜像>',
    );
    expect(await replyTo('restart', 'nginx', Array(5).fill('a'.repeat(63)).join('.'))).toBe(
      '主机：最长 253 个字符。\n用法：/restart <服务名> [主机]',
    );
  });

  it('says 参数过多 and 缺少参数 where zod said Invalid input', async () => {
    expect(await replyTo('status', 'payments', 'extra')).toBe('参数过多。\n用法：/status [服务名]');
    expect(await replyTo('restart')).toBe('缺少参数。\n用法：/restart <服务名> [主机]');
    expect(await replyTo('logs', 'api', '15m', 'more')).toBe('参数过多。\n用法：/logs <服务名> [时长]');
  });

  it('keeps the words a schema gives, and names an unnamed argument by its place', async () => {
    expect(await replyTo('logs', 'api', '99d')).toBe('时长格式如 15m、2h。\n用法：/logs <服务名> [时长]');
    expect(await replyTo('audit', 'check')).toBe('第 1 个参数：只能是 verify。\n用法：/audit verify');
  });

  it('words the problems of an automation request in Chinese, each with its argument', () => {
    const result = validateRequest('check_logs', { service: 'api', limit: 500, extra: 1 });
    expect(result).toEqual({ ok: false, problem: 'limit：不能大于 200；参数：不认识的参数 extra' });
  });
});
