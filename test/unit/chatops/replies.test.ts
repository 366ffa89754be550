import { describe, expect, it } from 'vitest';
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
