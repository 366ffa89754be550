import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Person, Team } from '../alerts/oncall.js';
import { severities } from '../alerts/severity.js';
import { feishuOpenId } from '../feishu/ids.js';
import { readConfigFile } from '../lambda/config-file.js';
import { parseDurationSeconds } from '../lambda/duration.js';
import type { EscalationLevel, EscalationPolicy, LevelTarget } from './escalation.js';

const delay = z.union([z.number().int().min(0), z.string()]).transform((value, ctx) => {
  try {
    return parseDurationSeconds(value) * 1000;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const target = z.union(
  [
    z.literal('oncall'),
    z.literal('next_oncall'),
    z.strictObject({ oncall: z.string().min(1) }),
    z.strictObject({ next_oncall: z.string().min(1) }),
    z.strictObject({ user: feishuOpenId, name: z.string().min(1).max(40).optional() }),
  ],
  { error: 'expected oncall, next_oncall, { oncall: <team> }, { next_oncall: <team> } or { user: ou_…, name: … }' },
);

const channels = ['card', 'urgent_app', 'urgent_sms', 'urgent_phone'] as const;

const level = z
  .strictObject({
    name: z.string().min(1).max(20).optional(),
    /** Counted from when the incident started escalating. */
    after: delay.default(0),
    notify: z.array(target).min(1),
    channels: z
      .array(z.enum(channels))
      .min(1)
      .default([...channels]),
  })
  .refine((value) => value.channels.includes('card') || !value.channels.some((c) => c.startsWith('urgent_')), {
    message: '加急 (urgent_*) needs card: Feishu pages a person about a message sent to them',
    path: ['channels'],
  });

export const escalationFile = z.strictObject({
  policies: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'a policy name (letters, digits, - and _)'),
    z.strictObject({
      severities: z.array(z.enum(severities)).min(1).default(['critical']),
      levels: z
        .array(level)
        .min(1)
        .refine((levels) => levels.every((entry, i) => i === 0 || entry.after > levels[i - 1]!.after), {
          message: 'each level must come later than the one before (after: 0m, 5m, 15m, …)',
        }),
      repeat: z.strictObject({ times: z.number().int().min(0).max(10), after: delay }).optional(),
    }),
  ),
});

const invalid = (path: string, problem: string) => new Error(`config ${path} is invalid:\n  ${problem}`);

/**
 * Loads `escalation.yaml` if there is one (without it every route uses the built-in policy) and checks it against the
 * teams: every team it names exists, and a person it pages has a name (their own, or the roster's).
 */
export function loadEscalationPolicies(dir: string, teams: Map<string, Team>): Map<string, EscalationPolicy> {
  const policies = new Map<string, EscalationPolicy>();
  if (!existsSync(join(dir, 'escalation.yaml'))) return policies;
  const file = readConfigFile(dir, 'escalation.yaml', escalationFile);
  const path = join(dir, 'escalation.yaml');
  const roster = new Map<string, Person>(
    [...teams.values()].flatMap((team) => team.rotation.members.map((person) => [person.openId, person] as const)),
  );
  for (const [name, policy] of Object.entries(file.policies)) {
    const levels = policy.levels.map((entry, index): EscalationLevel => {
      const at = `policies.${name}.levels.${index}`;
      const targets = entry.notify.map((value, i): LevelTarget => {
        if (value === 'oncall' || value === 'next_oncall') return { kind: value };
        if ('user' in value) {
          const person = value.name ? { openId: value.user, name: value.name } : roster.get(value.user);
          if (!person) throw invalid(path, `${at}.notify.${i}.name: ${value.user} is on no team; give their name`);
          return { kind: 'person', person };
        }
        const [kind, team] =
          'oncall' in value ? (['oncall', value.oncall] as const) : (['next_oncall', value.next_oncall] as const);
        if (!teams.has(team)) throw invalid(path, `${at}.notify.${i}: team "${team}" is not defined in oncall.yaml`);
        return { kind, team };
      });
      return { name: entry.name ?? `L${index + 1}`, afterMs: entry.after, targets, channels: entry.channels };
    });
    policies.set(name, {
      name,
      severities: policy.severities,
      levels,
      repeat: { times: policy.repeat?.times ?? 0, afterMs: policy.repeat?.after ?? 0 },
    });
  }
  return policies;
}

/** Whether a policy pages "the route's team" anywhere: such a route must name its team. */
export const needsRouteTeam = (policy: EscalationPolicy) =>
  policy.levels.some((entry) => entry.targets.some((target) => target.kind !== 'person' && !target.team));
