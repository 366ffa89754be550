import * as z from 'zod';
import { feishuOpenId } from '../feishu/ids.js';
import { readConfigFile } from '../lambda/config-file.js';
import { durationSeconds } from '../lambda/duration.js';
import type { EscalationPolicy } from '../incidents/escalation.js';
import { loadEscalationPolicies, needsRouteTeam } from '../incidents/escalation-config.js';
import type { DedupWindows } from './dedup.js';
import type { InhibitRule } from './inhibition.js';
import { parseMatcher } from './matchers.js';
import { severities, type Severity } from './severity.js';
import type { Person, Team } from './oncall.js';
import type { Route } from './routing.js';

const duration = durationSeconds;

const matcher = z.string().transform((value, ctx) => {
  try {
    return parseMatcher(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const openId = feishuOpenId;
const chatId = z.string().regex(/^oc_[A-Za-z0-9_-]+$/, 'a Feishu chat_id (oc_…)');
const instant = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(time)) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time such as 2026-01-05T10:00:00+08:00' });
    return z.NEVER;
  }
  return time;
});

export const routingFile = z.strictObject({
  dedup: z
    .strictObject({
      window: duration.default(300),
      bySeverity: z.partialRecord(z.enum(severities), duration).default({}),
    })
    .default({ window: 300, bySeverity: {} }),
  /** How often an unacknowledged alert that keeps firing is brought up again in its chats. */
  reminders: z.strictObject({ every: duration.default(3600) }).default({ every: 3600 }),
  /**
   * An incident whose group resolves and fires again within `window` is reopened, its card kept; one that changes
   * state more than `changes` times within it is flapping (抖动中) and is not paged again until it has been stable.
   */
  flapping: z
    .strictObject({ changes: z.number().int().min(1).max(100).default(4), window: duration.default(600) })
    .default({ changes: 4, window: 600 }),
  /** Alertmanager-style inhibition: while a source alert fires, matching target alerts with equal labels are muted. */
  inhibit: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        source: z.array(matcher).min(1),
        target: z.array(matcher).min(1),
        equal: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name')).default([]),
      }),
    )
    .default([]),
  routes: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        match: z
          .strictObject({
            severity: z.array(z.enum(severities)).min(1).optional(),
            service: z.array(z.string().min(1)).min(1).optional(),
            labels: z.array(matcher).default([]),
          })
          .default({ labels: [] }),
        chats: z.array(chatId).default([]),
        users: z.array(openId).default([]),
        team: z.string().optional(),
        groupBy: z
          .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name'))
          .min(1)
          .optional(),
        /** The escalation policy of escalation.yaml for its incidents; `default` when unset. */
        escalation: z.string().min(1).optional(),
        /** The severities whose incidents get a war room on this route (`collaboration.warRoom` when unset). */
        warRoom: z.array(z.enum(severities)).optional(),
        continue: z.boolean().default(false),
      }),
    )
    .min(1, 'at least one route is needed; end with a catch-all route that has no match'),
  collaboration: z
    .strictObject({
      /** Incidents of these severities get a war room, on routes that do not say otherwise. */
      warRoom: z
        .strictObject({ severities: z.array(z.enum(severities)).default(['critical']) })
        .default({ severities: ['critical'] }),
      /** A weekly report posted to a chat, at a local time (DISPLAY_TIME_ZONE): `Mon 09:00`. */
      weeklyReport: z
        .strictObject({
          chat: chatId,
          at: z
            .string()
            .regex(
              /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01]\d|2[0-3]):[0-5]\d$/,
              'a weekday and a time, such as Mon 09:00',
            ),
        })
        .optional(),
    })
    .default({ warRoom: { severities: ['critical'] } }),
});

const person = z.strictObject({ name: z.string().min(1), openId });

export const oncallFile = z.strictObject({
  teams: z.record(
    z.string(),
    z.strictObject({
      members: z.array(person).min(1),
      handoff: instant,
      shift: duration.default(604_800),
      overrides: z.array(z.strictObject({ openId, from: instant, to: instant })).default([]),
    }),
  ),
});

/** More than `changes` state changes within `windowSeconds` is flapping. */
export interface FlappingRule {
  changes: number;
  windowSeconds: number;
}

/** War rooms and the weekly report (routing.yaml's `collaboration`). */
export interface CollaborationConfig {
  warRoomSeverities: Severity[];
  weeklyReport?: { chatId: string; at: string };
}

export interface AlertingConfig {
  dedup: DedupWindows;
  routes: Route[];
  teams: Map<string, Team>;
  inhibitRules: InhibitRule[];
  reminderIntervalSeconds: number;
  flapping: FlappingRule;
  /** escalation.yaml's policies by name (empty without the file: routes use the built-in one). */
  policies: Map<string, EscalationPolicy>;
  collaboration: CollaborationConfig;
}

/**
 * Loads `routing.yaml`, `oncall.yaml` and `escalation.yaml` and checks they agree: every route's team and policy
 * exists, overrides name members, and a route whose policy pages its team's on-call person has a team.
 */
export function loadAlertingConfig(dir: string): AlertingConfig {
  const routing = readConfigFile(dir, 'routing.yaml', routingFile);
  const oncall = readConfigFile(dir, 'oncall.yaml', oncallFile);
  const teams = new Map<string, Team>();
  for (const [name, team] of Object.entries(oncall.teams)) {
    const members = new Map<string, Person>(team.members.map((member) => [member.openId, member]));
    teams.set(name, {
      name,
      rotation: {
        members: team.members,
        handoffAt: team.handoff,
        shiftMs: team.shift * 1000,
        overrides: team.overrides.map((override, index) => {
          const person = members.get(override.openId);
          if (!person)
            throw new Error(
              `config ${dir}/oncall.yaml is invalid:\n` +
                `  teams.${name}.overrides.${index}.openId: ${override.openId} is not a member of ${name}`,
            );
          return { person, from: override.from, to: override.to };
        }),
      },
    });
  }
  const policies = loadEscalationPolicies(dir, teams);
  const invalid = (problem: string) => new Error(`config ${dir}/routing.yaml is invalid:\n  ${problem}`);
  const routes: Route[] = routing.routes.map((route, index) => {
    if (route.team && !teams.has(route.team)) {
      throw invalid(`routes.${index}.team: team "${route.team}" is not defined in oncall.yaml`);
    }
    if (route.escalation) {
      const policy = policies.get(route.escalation);
      if (!policy) {
        const known = [...policies.keys()].join(', ') || 'none: there is no escalation.yaml';
        throw invalid(`routes.${index}.escalation: policy "${route.escalation}" is not defined (${known})`);
      }
      if (needsRouteTeam(policy) && !route.team) {
        throw invalid(`routes.${index}.escalation: policy "${route.escalation}" pages the route's on-call; set team`);
      }
    }
    return {
      name: route.name,
      severities: route.match.severity,
      services: route.match.service,
      matchers: route.match.labels,
      chats: route.chats,
      users: route.users,
      team: route.team,
      groupBy: route.groupBy,
      escalation: route.escalation,
      warRoom: route.warRoom,
      continue: route.continue,
    };
  });
  return {
    dedup: { defaultSeconds: routing.dedup.window, bySeverity: routing.dedup.bySeverity },
    routes,
    teams,
    inhibitRules: routing.inhibit,
    reminderIntervalSeconds: routing.reminders.every,
    flapping: { changes: routing.flapping.changes, windowSeconds: routing.flapping.window },
    policies,
    collaboration: {
      warRoomSeverities: routing.collaboration.warRoom.severities,
      weeklyReport: routing.collaboration.weeklyReport && {
        chatId: routing.collaboration.weeklyReport.chat,
        at: routing.collaboration.weeklyReport.at,
      },
    },
  };
}
