import type { Team } from '../alerts/oncall.js';
import type { Actor } from '../alerts/repository.js';

/** What people do to an incident, and to on-call, that is checked against config (automation.yaml `incidents`). */
export type IncidentOp = 'ack' | 'resolve' | 'silence' | 'escalate' | 'override';
/** The operations decided on the incident itself, where the webhook (which loads no config) checks them. */
export const incidentOps = ['ack', 'resolve', 'silence', 'escalate'] as const;
export type IncidentPermitOp = (typeof incidentOps)[number];

export const opLabel: Record<IncidentOp | 'broad_silence', string> = {
  ack: '确认',
  resolve: '解决',
  silence: '静默',
  escalate: '升级',
  override: '设置临时值班',
  broad_silence: '创建长时间或大范围的静默',
};

/** Who may do one thing: their open_ids, and in words, for the person refused. */
export interface Permit {
  people: string[];
  who: string;
}
export type IncidentPermits = Record<IncidentPermitOp, Permit>;

/**
 * The rules, from config: per operation, who may (`team`: the members of the on-call team concerned; anything else
 * a role of automation.yaml), and what makes a silence need `broadSilence.roles`.
 */
export interface PermissionRules {
  allowed: Record<IncidentOp, string[]>;
  broadSilence: { longerThanSeconds: number; matchingMoreThan: number; roles: string[] };
  /** The open_ids holding a role (its users and its groups' members). */
  holders(role: string): string[];
}

/** Who may do `op` where `teams` are the teams concerned (an incident's route teams, the team overridden). */
export function permitFor(op: IncidentOp, teams: Team[], rules: PermissionRules): Permit {
  return permitOf(rules.allowed[op], teams, rules);
}

/** Who may create a silence beyond the broad-silence limits. */
export const broadSilencePermit = (rules: PermissionRules): Permit => permitOf(rules.broadSilence.roles, [], rules);

function permitOf(allowed: string[], teams: Team[], rules: PermissionRules): Permit {
  const people = new Set<string>();
  const words: string[] = [];
  for (const entry of allowed) {
    if (entry === 'team') {
      if (!teams.length) continue;
      teams.forEach((team) => team.rotation.members.forEach((member) => people.add(member.openId)));
      words.push(`值班团队 ${teams.map((team) => team.name).join('、')} 的成员`);
    } else {
      rules.holders(entry).forEach((openId) => people.add(openId));
      words.push(`角色 ${entry}`);
    }
  }
  return { people: [...people].sort(), who: words.length ? `需要：${words.join('，或')}` : '配置中没有人可以' };
}

/** What an incident keeps of who may act on it, decided from config when it opens. */
export const incidentPermits = (teams: Team[], rules: PermissionRules): IncidentPermits =>
  Object.fromEntries(incidentOps.map((op) => [op, permitFor(op, teams, rules)])) as IncidentPermits;

/** The names `roster` (open_id → name) has for the people `permits` name. */
export function permittedNames(permits: IncidentPermits, roster: Map<string, string>): Record<string, string> {
  const people = new Set(Object.values(permits).flatMap((permit) => permit.people));
  return Object.fromEntries(
    [...people].flatMap((openId) => (roster.has(openId) ? [[openId, roster.get(openId)!]] : [])),
  );
}

/** Undefined when `by` may; otherwise the refusal, in words they can act on. */
export function refusal(permit: Permit | undefined, by: Actor, op: IncidentOp | 'broad_silence'): string | undefined {
  if (!permit || permit.people.includes(by.openId)) return undefined;
  return `你没有权限${opLabel[op]}（${permit.who}）`;
}
