import { describe, expect, it } from 'vitest';
import {
  isActive,
  parseSilenceArgs,
  SilenceArgsError,
  silencedBy,
  type Silence,
} from '../../../lib/alerts/silences.js';
import { makeAlert } from '../fakes/alerts.js';

const now = Date.parse('2026-03-02T03:00:00Z');
const HOUR = 3600_000;
const silence = (matchers: string[], from = now - HOUR, to = now + HOUR): Silence => ({
  id: `s${matchers.length}${from}`,
  matchers,
  startsAt: new Date(from).toISOString(),
  endsAt: new Date(to).toISOString(),
  createdBy: { openId: 'ou_a' },
  reason: '',
  createdAt: new Date(from).toISOString(),
});

describe('silences', () => {
  const alert = makeAlert({
    service: 'payments',
    host: 'pay-1',
    labels: { alertname: 'HighLatency', env: 'prod' },
    name: 'HighLatency',
  });

  it('an active silence whose matchers all match silences the alert, on labels, name, service and host', () => {
    const byLabels = { ...silence(['service=payments', 'env="prod"']), id: 'by-labels' };
    const byNameAndHost = { ...silence(['alertname=~"High.*"', 'host=pay-1']), id: 'by-name-and-host' };
    const otherService = { ...silence(['service=orders']), id: 'other-service' };
    expect(silencedBy(alert, [otherService, byLabels], now)?.id).toBe('by-labels');
    expect(silencedBy(alert, [otherService, byNameAndHost], now)?.id).toBe('by-name-and-host');
    expect(silencedBy(alert, [silence(['service=payments', 'env=staging'])], now)).toBeUndefined();
    expect(silencedBy(alert, [silence(['env!=prod'])], now)).toBeUndefined();
  });

  it('a silence that has not started or has ended silences nothing', () => {
    expect(silencedBy(alert, [silence(['service=payments'], now + 1, now + HOUR)], now)).toBeUndefined();
    expect(silencedBy(alert, [silence(['service=payments'], now - 2 * HOUR, now)], now)).toBeUndefined();
    expect(isActive(silence(['a=b'], now, now + 1), now)).toBe(true);
  });

  it('a silence without matchers, or with one that no longer parses, silences nothing', () => {
    expect(silencedBy(alert, [silence([])], now)).toBeUndefined();
    expect(silencedBy(alert, [silence(['service=~"("'])], now)).toBeUndefined();
  });
});

describe('/silence arguments', () => {
  it('takes matchers, then one duration, then the reason', () => {
    expect(parseSilenceArgs(['service=api', 'env="prod"', '2h', '数据库', '迁移'])).toEqual({
      matchers: ['service=api', 'env="prod"'],
      durationMs: 2 * HOUR,
      reason: '数据库 迁移',
    });
    expect(parseSilenceArgs(['service=~"api|web"', '30m'])).toEqual({
      matchers: ['service=~"api|web"'],
      durationMs: 30 * 60_000,
      reason: '',
    });
  });

  it.each([
    [['2h'], /至少需要一个匹配条件/],
    [['service=api'], /缺少时长/],
    [['service=api', 'soon'], /不是时长/],
    [['service=api', '30s'], /1 分钟到 7 天/],
    [['service=api', '8d'], /1 分钟到 7 天/],
    [['service=~"("', '1h'], /匹配条件 .* 无效：正则表达式不符合 RE2 语法/],
    [['service=~"(?!db).*"', '1h'], /不支持前瞻、后顾和反向引用/],
    [[`service=~"${'a'.repeat(300)}"`, '1h'], /匹配条件过长（最多 256 个字符）/],
    [[...Array.from({ length: 11 }, (_, i) => `l${i}=x`), '1h'], /匹配条件太多（最多 10 个）/],
    [['service=api', '1h', 'env=prod'], /匹配条件要写在时长前面/],
  ])('%j is refused with a clear reason', (args, message) => {
    expect(() => parseSilenceArgs(args)).toThrow(SilenceArgsError);
    expect(() => parseSilenceArgs(args)).toThrow(message);
  });
});
