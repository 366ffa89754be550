import { describe, expect, it } from 'vitest';
import { overrideEnd } from '../../../lib/chatops/commands/oncall.js';

// 2026-12-02 09:40 in Shanghai.
const now = Date.parse('2026-12-02T01:40:00Z');
const end = (text: string) => new Date(overrideEnd(text, now, 'Asia/Shanghai')).toISOString();

describe('/oncall override: when it ends', () => {
  it('takes a duration', () => {
    expect(end('2h')).toBe('2026-12-02T03:40:00.000Z');
    expect(end('1d12h')).toBe('2026-12-03T13:40:00.000Z');
  });

  it('takes a time of day in the display time zone: today if it is still ahead, else tomorrow', () => {
    expect(end('到18:00')).toBe('2026-12-02T10:00:00.000Z');
    expect(end('至8:30')).toBe('2026-12-03T00:30:00.000Z');
    expect(new Date(overrideEnd('18:00', now, 'Europe/Berlin')).toISOString()).toBe('2026-12-02T17:00:00.000Z');
  });

  it('takes a local date and time', () => {
    expect(end('到2026-12-05T09:00')).toBe('2026-12-05T01:00:00.000Z');
  });

  it('says what is wrong with a time that is past, too far, or not a time', () => {
    const error = (text: string) => () => overrideEnd(text, now, 'Asia/Shanghai');
    expect(error('到2026-12-01T09:00')).toThrow(/已经过去了/);
    expect(error('45d')).toThrow(/最长 30 天/);
    expect(error('到25:00')).toThrow(/不是有效的时间/);
    expect(error('下班')).toThrow(/既不是时长.*也不是时间/);
  });
});
