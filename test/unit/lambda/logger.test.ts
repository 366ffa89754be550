import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpectedError } from '../../../lib/lambda/errors.js';
import { createLogger } from '../../../lib/lambda/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The lines a logger wrote, parsed. */
function capture() {
  vi.stubEnv('LOG_LEVEL', 'debug');
  const lines: Record<string, unknown>[] = [];
  const keep = (line: string) => void lines.push(JSON.parse(line));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
  return lines;
}

describe('the logger', () => {
  it('writes a 10,000-level-deep value cut short, instead of throwing', () => {
    const lines = capture();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    expect(() => createLogger().warn('card action not understood', { value: deep })).not.toThrow();
    expect(JSON.stringify(lines[0]!.value)).toContain('[too deep]');
  });

  it('bounds wide values and long strings, and still writes a line for a value JSON cannot hold', () => {
    const lines = capture();
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'x'.repeat(10_000)]));
    createLogger().info('wide', { wide, big: 10n });
    createLogger().info('fine', { ok: 1 });
    expect(lines[0]).toMatchObject({ message: 'wide', unloggable: expect.stringContaining('BigInt') });
    createLogger().info('wide again', { wide });
    const logged = lines[2]!.wide as Record<string, string>;
    expect(Object.keys(logged)).toHaveLength(50);
    expect(logged.k0!.length).toBeLessThanOrEqual(4001);
    expect(lines[1]).toMatchObject({ message: 'fine', ok: 1 });
  });

  it('writes an expected failure as its English message without a stack, and keeps the stack of anything else', () => {
    const lines = capture();
    const refused = new ExpectedError('未配置 SSH 私钥', 'SSH_PRIVATE_KEY is not configured in the secret');
    createLogger().warn('action failed', { error: refused });
    createLogger().error('action failed', { error: new TypeError('x is undefined') });
    expect(lines[0]!.error).toEqual({
      name: 'ExpectedError',
      message: 'SSH_PRIVATE_KEY is not configured in the secret',
    });
    expect(lines[1]!.error).toMatchObject({ name: 'TypeError', stack: expect.stringContaining('logger.test.ts') });
  });
});
