import { onCallAt, type Person, type Team } from '../alerts/oncall.js';
import type { Severity } from '../alerts/severity.js';

/** How a level reaches a person: the incident's card in a direct message, and Feishu's 加急 on that card. */
export type LevelChannel = 'card' | 'urgent_app' | 'urgent_sms' | 'urgent_phone';

/** Who a level pages: a team's on-call person or the next one in its rotation (the route's team by default), a person. */
export type LevelTarget =
  { kind: 'oncall'; team?: string } | { kind: 'next_oncall'; team?: string } | { kind: 'person'; person: Person };

export interface EscalationLevel {
  /** `L1`, `L2`, … unless the config names it. */
  name: string;
  /** When it is due, counted from the moment the incident started escalating. */
  afterMs: number;
  targets: LevelTarget[];
  channels: LevelChannel[];
}

/** Who is paged, how and when, until someone acknowledges: the levels in order, then again `repeat.times` times. */
export interface EscalationPolicy {
  name: string;
  /** Incidents of other severities are not escalated: their cards go to chats only. */
  severities: Severity[];
  levels: EscalationLevel[];
  /** After the last level, the levels start over `afterMs` later, `times` times. */
  repeat: { times: number; afterMs: number };
}

/**
 * Used when config/escalation.yaml names no `default` policy: the route team's on-call person, by card and every
 * kind of 加急, for critical incidents.
 */
export const builtInPolicy: EscalationPolicy = {
  name: 'default',
  severities: ['critical'],
  levels: [
    {
      name: 'L1',
      afterMs: 0,
      targets: [{ kind: 'oncall' }],
      channels: ['card', 'urgent_app', 'urgent_sms', 'urgent_phone'],
    },
  ],
  repeat: { times: 0, afterMs: 0 },
};

/** The policy a route names, the `default` one, or the built-in one. */
export const policyFor = (policies: Map<string, EscalationPolicy>, name: string | undefined) =>
  (name ? policies.get(name) : undefined) ?? policies.get('default') ?? builtInPolicy;

/**
 * Escalation goes in steps, 1, 2, …: the levels in order, then round again for each repeat. Step `n` is a level in
 * a cycle, due at its `afterMs` plus a whole cycle (the last level's delay and the repeat delay) per round before.
 */
export function stepOf(policy: EscalationPolicy, step: number) {
  const { levels, repeat } = policy;
  if (step < 1 || step > levels.length * (1 + repeat.times)) return undefined;
  const cycle = Math.floor((step - 1) / levels.length);
  const level = levels[(step - 1) % levels.length]!;
  const cycleMs = levels.at(-1)!.afterMs + repeat.afterMs;
  return { level, cycle, dueAfterMs: cycle * cycleMs + level.afterMs };
}

/** When step `step` is due for an escalation that started at `startedAt`; undefined past the last step. */
export function stepDueAt(policy: EscalationPolicy, startedAt: string, step: number): string | undefined {
  const found = stepOf(policy, step);
  return found && new Date(Date.parse(startedAt) + found.dueAfterMs).toISOString();
}

/** The member of a rotation after the one on call now (an override does not change who is next in line). */
function nextOnCall(team: Team, now: number): Person | undefined {
  const { rotation } = team;
  if (!rotation.members.length) return undefined;
  const shifts = Math.floor((now - rotation.handoffAt) / rotation.shiftMs);
  const n = rotation.members.length;
  return rotation.members[(((shifts + 1) % n) + n) % n];
}

/** The people a level pages now, each once, in the order the level names them. */
export function peopleFor(
  level: EscalationLevel,
  context: { team?: string; teams: Map<string, Team>; now: number },
): Person[] {
  const people = new Map<string, Person>();
  for (const target of level.targets) {
    let person: Person | undefined;
    if (target.kind === 'person') person = target.person;
    else {
      const team = context.teams.get(target.team ?? context.team ?? '');
      person = team && (target.kind === 'oncall' ? onCallAt(team, context.now) : nextOnCall(team, context.now));
    }
    if (person && !people.has(person.openId)) people.set(person.openId, person);
  }
  return [...people.values()];
}

/** `L2（李娜、张伟）`: what the card and the timeline say about a step. */
export const describeStep = (policy: EscalationPolicy, step: number, people: Person[]) => {
  const found = stepOf(policy, step);
  const round = found && found.cycle > 0 ? `，第 ${found.cycle + 1} 轮` : '';
  return `${found?.level.name ?? `L${step}`}（${people.map((person) => person.name).join('、') || '无人'}${round}）`;
};
