import { describe, expect, it } from 'vitest';
import { parseSilenceArgs } from '../../../lib/alerts/silences.js';
import { closestCommand, messageText, parseCommandLine, tokenize } from '../../../lib/chatops/parser.js';

const bot = 'ou_bot';
const mentions = [
  { key: '@_user_1', id: { open_id: bot }, name: 'OpenClaw' },
  { key: '@_user_10', id: { open_id: 'ou_li' }, name: '李娜' },
];

describe('reading a message', () => {
  it("strips the bot's own mention and shows another person's as @name, without confusing @_user_1 and @_user_10", () => {
    expect(
      messageText(JSON.stringify({ text: '@_user_1 /alert ack 3f9a0c1b2d4e @_user_10' }), 'text', mentions, bot),
    ).toBe('/alert ack 3f9a0c1b2d4e @李娜');
  });

  it('reads a p2p message without mentions, with full-width spaces normalised', () => {
    expect(messageText(JSON.stringify({ text: '\u3000/status\u3000api ' }), 'text', [], bot)).toBe('/status api');
  });

  it('drops a leading mention when the bot id is unknown', () => {
    expect(messageText(JSON.stringify({ text: '@_user_1 /help' }), 'text', [], undefined)).toBe('/help');
  });

  it('reads rich-text posts, with or without a locale wrapper', () => {
    const content = {
      title: '',
      content: [
        [
          { tag: 'at', user_id: '@_user_1' },
          { tag: 'text', text: ' /status ' },
          { tag: 'a', text: 'payments', href: 'https://x' },
        ],
        [{ tag: 'text', text: '谢谢' }],
      ],
    };
    expect(messageText(JSON.stringify(content), 'post', mentions, bot)).toBe('/status payments\n谢谢');
    expect(messageText(JSON.stringify({ zh_cn: content }), 'post', mentions, bot)).toBe('/status payments\n谢谢');
  });

  it('gives nothing for images, unknown types and malformed content', () => {
    expect(messageText(JSON.stringify({ image_key: 'img_1' }), 'image', [], bot)).toBeUndefined();
    expect(messageText('{"text":', 'text', [], bot)).toBeUndefined();
  });
});

describe('parsing a command line', () => {
  it('keeps quoted words together and a matcher with a quoted value as one word, quotes included', () => {
    expect(tokenize('/silence service="api gw" 1h 升级中')).toEqual(['/silence', 'service="api gw"', '1h', '升级中']);
    expect(tokenize('resolve "回滚到 1.4.1" “数据库 迁移” ‘单引号 内容’')).toEqual([
      'resolve',
      '回滚到 1.4.1',
      '数据库 迁移',
      '单引号 内容',
    ]);
    expect(tokenize('reason "not closed')).toEqual(['reason', 'not closed']);
  });

  it('accepts the full-width slash and lower-cases the command; plain text is not a command', () => {
    expect(parseCommandLine('／STATUS payments')).toEqual({ command: 'status', args: ['payments'] });
    expect(parseCommandLine('/alert  ack   3f9a0c1b2d4e')).toEqual({ command: 'alert', args: ['ack', '3f9a0c1b2d4e'] });
    expect(parseCommandLine('数据库连接数满了怎么办')).toBeUndefined();
    expect(parseCommandLine('/ 空格')).toBeUndefined();
  });

  it('reads full-width command syntax as ASCII, one way: ／silence, /ｋｂ and ｓｅｒｖｉｃｅ＝ all work', () => {
    expect(parseCommandLine('／silence service=payments 1h 扩容中')).toEqual({
      command: 'silence',
      args: ['service=payments', '1h', '扩容中'],
    });
    expect(parseCommandLine('/ｋｂ 磁盘满了怎么办？')).toEqual({ command: 'kb', args: ['磁盘满了怎么办？'] });
    const line = parseCommandLine(
      '／ｓｉｌｅｎｃｅ　ｓｅｒｖｉｃｅ＝ｐａｙｍｅｎｔｓ　ｔｅａｍ＝支付组　２ｈ　扩容中，请勿打扰！',
    );
    expect(line).toEqual({
      command: 'silence',
      args: ['service=payments', 'team=支付组', '2h', '扩容中，请勿打扰！'],
    });
    expect(parseSilenceArgs(line!.args)).toEqual({
      matchers: ['service=payments', 'team=支付组'],
      durationMs: 2 * 3600_000,
      reason: '扩容中，请勿打扰！',
    });
  });

  it('leaves free text as typed: a question, a reason, a regex, and Chinese punctuation anywhere', () => {
    expect(parseCommandLine('ｋｂ：磁盘满了（根分区）怎么办？')).toBeUndefined();
    expect(parseCommandLine('／ａｌｅｒｔ　ｒｅｓｏｌｖｅ　３ｆ９ａ０ｃ１ｂ２ｄ４ｅ　已扩容（见工单！）')).toEqual({
      command: 'alert',
      args: ['resolve', '3f9a0c1b2d4e', '已扩容（见工单！）'],
    });
    expect(parseCommandLine('/silence alertname＝～"Ｄｉｓｋ.*" ！＝ 1h')?.args).toEqual([
      'alertname=~"Ｄｉｓｋ.*"',
      '！＝',
      '1h',
    ]);
  });

  it('suggests the closest command for typos and unique prefixes, and nothing for gibberish', () => {
    const names = ['help', 'status', 'alert', 'oncall', 'silence', 'logs', 'restart', 'deploy', 'kb'];
    expect(closestCommand('stauts', names)).toBe('status');
    expect(closestCommand('silnce', names)).toBe('silence');
    expect(closestCommand('al', names)).toBe('alert');
    expect(closestCommand('restrat', names)).toBe('restart');
    expect(closestCommand('xyz', names)).toBeUndefined();
  });
});
