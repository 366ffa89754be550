import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../../lib/automation/actions.js';
import type { ChatopsDeps } from '../../../lib/chatops/command.js';
import { findCommand } from '../../../lib/chatops/registry.js';
import { clickFailureAnswer, commandFailureReply } from '../../../lib/chatops/replies.js';
import { UsageError } from '../../../lib/chatops/usage.js';
import { ExpectedError } from '../../../lib/lambda/errors.js';
import { recordingLogger } from '../fakes/logger.js';

const notConfigured = () =>
  new ExpectedError('知识库未配置，草稿无法保存', 'the knowledge base is not configured: the draft cannot be saved');

describe('failures in words', () => {
  it('a usage error gets the problem and the usage line, and is not logged', () => {
    const log = recordingLogger();
    expect(commandFailureReply(new UsageError('缺少参数', '/logs <服务名>'), 'logs', 1, log)).toEqual({
      kind: 'text',
      text: '缺少参数。\n用法：/logs <服务名>',
    });
    expect(log.lines).toEqual([]);
  });

  it('an expected failure is answered at once in Chinese, and logged as one warning line in English', () => {
    const log = recordingLogger();
    expect(commandFailureReply(notConfigured(), 'kb', 1, log)).toEqual({
      kind: 'text',
      text: '无法执行 /kb：知识库未配置，草稿无法保存',
    });
    expect(log.lines).toMatchObject([{ level: 'warn', message: 'command refused' }]);
  });

  it('anything else is retried, then answered in Chinese without its English message, which goes to the log', () => {
    const log = recordingLogger();
    const fault = new Error('ResourceNotFoundException: Requested resource not found');
    expect(commandFailureReply(fault, 'status', 1, log)).toBeUndefined();
    const reply = commandFailureReply(fault, 'status', 3, log) as { text: string };
    expect(reply.text).toBe('执行 /status 出错，已重试 3 次。请稍后再试；如持续出错，请联系平台管理员查看日志。');
    expect(log.lines).toMatchObject([{ level: 'error', fields: { error: fault } }]);
  });

  it('a click that failed for an expected reason says it in the toast', () => {
    const log = recordingLogger();
    expect(clickFailureAnswer(notConfigured(), 'ev1', log)).toEqual({
      toast: { type: 'error', content: '知识库未配置，草稿无法保存' },
    });
    expect(clickFailureAnswer(new Error('boom'), 'ev2', log).toast?.content).toMatch(/^操作失败/);
    expect(log.lines.map((line) => line.level)).toEqual(['warn', 'error']);
  });
});

/** The reply to a command whose arguments are refused before it touches anything (no dependencies needed). */
async function replyTo(command: string, ...args: string[]): Promise<string> {
  const error = await findCommand(command)!
    .run({ actor: { openId: 'ou_x' }, messageId: 'om_1', chatId: 'oc_1', args }, {} as ChatopsDeps)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const reply = commandFailureReply(error, command, 1, recordingLogger());
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
