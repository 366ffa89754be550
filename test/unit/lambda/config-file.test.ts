import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from '../../../lib/lambda/duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['300s', 300],
    ['5m', 300],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    ['7d', 604_800],
    ['1w', 604_800],
    [' 90s ', 90],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it('takes a number, or a string of digits, as seconds', () => {
    expect(parseDurationSeconds(300)).toBe(300);
    expect(parseDurationSeconds('300')).toBe(300);
  });

  it.each(['', 'five minutes', '5x', '5m later', '-5m', '1.5h', 'm5'])('rejects %j, with examples', (text) => {
    expect(() => parseDurationSeconds(text)).toThrow(/is not a duration \(examples: 300s, 5m, 1h30m, 7d\)/);
  });

  // The pattern allows spaces between amount and unit (`\d+\s*[smhdw]`) and "1h 30m" is accepted,
  // but the completeness check compares the spaced match with the unspaced input.
  it('accepts a space between the amount and the unit, as its pattern intends', () => {
    expect(parseDurationSeconds('5 m')).toBe(300);
    expect(parseDurationSeconds('1 h 30 m')).toBe(5400);
  });
});
