import { describe, expect, it } from 'vitest';
import { matchesAll, parseMatcher } from '../../../lib/alerts/matchers.js';

const labels = { alertname: 'HighErrorRate', service: 'mysql', env: 'prod', instance: 'db-1:9104' };

describe('parseMatcher', () => {
  it('= matches an equal value only', () => {
    const matcher = parseMatcher('env=prod');
    expect(matcher).toMatchObject({ name: 'env', op: '=', value: 'prod' });
    expect(matcher.test(labels)).toBe(true);
    expect(matcher.test({ ...labels, env: 'production' })).toBe(false);
  });

  it('!= matches any other value, and a missing label', () => {
    const matcher = parseMatcher('env!=prod');
    expect(matcher.op).toBe('!=');
    expect(matcher.test(labels)).toBe(false);
    expect(matcher.test({ ...labels, env: 'staging' })).toBe(true);
    expect(matcher.test({ alertname: 'X' })).toBe(true);
  });

  it('=~ matches a regex anchored at both ends', () => {
    const matcher = parseMatcher('service=~mysql|postgres');
    expect(matcher.op).toBe('=~');
    expect(matcher.test(labels)).toBe(true);
    expect(matcher.test({ service: 'postgres' })).toBe(true);
    expect(matcher.test({ service: 'mysql-replica' })).toBe(false);
    expect(matcher.test({ service: 'my-mysql' })).toBe(false);
  });

  it('!~ matches what the anchored regex does not', () => {
    const matcher = parseMatcher('instance!~db-.*');
    expect(matcher.op).toBe('!~');
    expect(matcher.test(labels)).toBe(false);
    expect(matcher.test({ instance: 'api-db-1' })).toBe(true);
  });

  it('takes the value out of double quotes', () => {
    const matcher = parseMatcher('service=~"mysql|postgres|redis"');
    expect(matcher.value).toBe('mysql|postgres|redis');
    expect(matcher.test({ service: 'redis' })).toBe(true);
    expect(parseMatcher('team="sre ops"').test({ team: 'sre ops' })).toBe(true);
  });

  it('allows spaces around the operator', () => {
    const matcher = parseMatcher('  env != prod ');
    expect(matcher).toMatchObject({ name: 'env', op: '!=', value: 'prod' });
  });

  it('= with an empty value matches a missing label, as in Alertmanager', () => {
    expect(parseMatcher('team=""').test({ alertname: 'X' })).toBe(true);
    expect(parseMatcher('team=""').test({ team: 'sre' })).toBe(false);
  });

  it('rejects text that is not a matcher, saying what is expected', () => {
    expect(() => parseMatcher('severity')).toThrow(/"severity" is not a label matcher/);
    expect(() => parseMatcher('1abc=x')).toThrow(/not a label matcher/);
    expect(() => parseMatcher('env>prod')).toThrow(/not a label matcher/);
  });

  it('matches in linear time, as RE2 does: a regex that would backtrack for minutes answers at once', () => {
    // With a backtracking engine this pattern on 40 characters takes longer than the test suite runs.
    const catastrophic = parseMatcher('alertname=~"(.*.*)*z"');
    expect(catastrophic.test({ alertname: 'a'.repeat(40) })).toBe(false);
    expect(catastrophic.test({ alertname: `${'a'.repeat(40)}z` })).toBe(true);
  });

  it('rejects what RE2 does not have (lookarounds, backreferences)', () => {
    expect(() => parseMatcher('service=~"(?!db).*"')).toThrow(/invalid regular expression \(RE2/);
    expect(() => parseMatcher('service=~"(a)\\1"')).toThrow(/invalid regular expression/);
  });

  it('rejects an invalid regular expression, naming the matcher', () => {
    expect(() => parseMatcher('service=~"(mysql"')).toThrow(/"service=~"\(mysql"": invalid regular expression/);
    expect(() => parseMatcher('service!~[')).toThrow(/invalid regular expression/);
  });
});

describe('matchesAll', () => {
  it('needs every matcher to match, and an empty list matches everything', () => {
    const matchers = [parseMatcher('env=prod'), parseMatcher('service=~mysql|redis')];
    expect(matchesAll(matchers, labels)).toBe(true);
    expect(matchesAll(matchers, { ...labels, env: 'dev' })).toBe(false);
    expect(matchesAll([], {})).toBe(true);
  });
});
