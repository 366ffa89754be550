import { describe, expect, it } from 'vitest';
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

  it('suggests the closest command for typos and unique prefixes, and nothing for gibberish', () => {
    const names = ['help', 'status', 'alert', 'oncall', 'silence', 'logs', 'restart', 'deploy', 'kb'];
    expect(closestCommand('stauts', names)).toBe('status');
    expect(closestCommand('silnce', names)).toBe('silence');
    expect(closestCommand('al', names)).toBe('alert');
    expect(closestCommand('restrat', names)).toBe('restart');
    expect(closestCommand('xyz', names)).toBeUndefined();
  });
});
