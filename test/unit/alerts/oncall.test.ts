import { describe, expect, it } from 'vitest';
import { onCallAt, type Person, type Team } from '../../../lib/alerts/oncall.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const zhang: Person = { name: '张伟', openId: 'ou_zhang' };
const li: Person = { name: '李娜', openId: 'ou_li' };
const wang: Person = { name: '王强', openId: 'ou_wang' };
const zhao: Person = { name: '赵敏', openId: 'ou_zhao' };
const handoffAt = Date.parse('2026-01-05T10:00:00+08:00');

const team = (overrides: Team['rotation']['overrides'] = [], members = [zhang, li, wang]): Team => ({
  name: 'sre',
  rotation: { members, handoffAt, shiftMs: 7 * DAY, overrides },
});

describe('onCallAt', () => {
  it('gives the first member the first shift, from the handoff instant', () => {
    expect(onCallAt(team(), handoffAt)).toBe(zhang);
    expect(onCallAt(team(), handoffAt + 7 * DAY - 1)).toBe(zhang);
  });

  it('moves to the next member at each shift boundary and wraps round', () => {
    expect(onCallAt(team(), handoffAt + 7 * DAY)).toBe(li);
    expect(onCallAt(team(), handoffAt + 14 * DAY + HOUR)).toBe(wang);
    expect(onCallAt(team(), handoffAt + 21 * DAY)).toBe(zhang);
    expect(onCallAt(team(), handoffAt + 52 * 7 * DAY)).toBe(li);
  });

  it('counts backwards before the handoff: the shift just before it is the last member', () => {
    expect(onCallAt(team(), handoffAt - 1)).toBe(wang);
    expect(onCallAt(team(), handoffAt - 7 * DAY)).toBe(wang);
    expect(onCallAt(team(), handoffAt - 7 * DAY - 1)).toBe(li);
    expect(onCallAt(team(), handoffAt - 21 * DAY - 1)).toBe(wang);
  });

  it('lets an override win while it lasts, from inclusive, to exclusive', () => {
    const covered = team([{ person: zhao, from: handoffAt + DAY, to: handoffAt + 2 * DAY }]);
    expect(onCallAt(covered, handoffAt + DAY - 1)).toBe(zhang);
    expect(onCallAt(covered, handoffAt + DAY)).toBe(zhao);
    expect(onCallAt(covered, handoffAt + 2 * DAY - 1)).toBe(zhao);
    expect(onCallAt(covered, handoffAt + 2 * DAY)).toBe(zhang);
  });

  it('applies an override before the handoff too', () => {
    const covered = team([{ person: li, from: handoffAt - DAY, to: handoffAt }]);
    expect(onCallAt(covered, handoffAt - HOUR)).toBe(li);
  });

  it('has nobody on call for a team with no members and no override', () => {
    expect(onCallAt(team([], []), handoffAt)).toBeUndefined();
  });
});
