import { matchesAll, type LabelMatcher } from './matchers.js';
import { matchLabels, type Alert } from './model.js';
import type { Severity } from './severity.js';
import { onCallAt, type Person, type Team } from './oncall.js';

export interface Route {
  name: string;
  severities?: Severity[];
  services?: string[];
  matchers: LabelMatcher[];
  chats: string[];
  users: string[];
  team?: string;
  /** Labels whose values make an incident, like Alertmanager's `group_by` (alerts whose source groups them keep it). */
  groupBy?: string[];
  /** The escalation policy of its incidents (lib/incidents/escalation.ts); the `default` one when unset. */
  escalation?: string;
  /** The severities whose incidents get a war room (the collaboration config's when unset). */
  warRoom?: Severity[];
  /** Keep looking for further matching routes after this one. */
  continue: boolean;
}

/** Where an alert goes: Feishu targets for the card, and the person to page when it is critical. */
export interface Target {
  kind: 'chat' | 'user';
  id: string;
}

export interface RoutePlan {
  routes: string[];
  /** Where the card goes: the routes' chats and users. People are messaged directly only when a level pages them. */
  targets: Target[];
  /** The first matching route's team, whose on-call person escalation levels page, and who is on call now. */
  team?: string;
  onCall?: Person;
  /** The first matching route's escalation policy (unset: the default one). */
  escalation?: string;
  /** The severities that open a war room, as the first matching route that says so says (unset: the config's). */
  warRoom?: Severity[];
  channels: Channel[];
}

/** Severity decides whether there is a card (info is only stored); escalation policies decide who is paged. */
export type Channel = 'card';
export const channelsBySeverity: Record<Severity, Channel[]> = { critical: ['card'], warning: ['card'], info: [] };

export function routeMatches(route: Route, alert: Alert): boolean {
  if (route.severities && !route.severities.includes(alert.severity)) return false;
  if (route.services && !route.services.includes(alert.service)) return false;
  return matchesAll(route.matchers, matchLabels(alert));
}

/** Walks the routes in order, Alertmanager style: the first match wins unless it says `continue`. */
export function planRoute(alert: Alert, routes: Route[], teams: Map<string, Team>, now: number): RoutePlan {
  const matched: Route[] = [];
  for (const route of routes) {
    if (!routeMatches(route, alert)) continue;
    matched.push(route);
    if (!route.continue) break;
  }
  const targets = new Map<string, Target>();
  const add = (target: Target) => targets.set(`${target.kind}:${target.id}`, target);
  for (const route of matched) {
    route.chats.forEach((id) => add({ kind: 'chat', id }));
    route.users.forEach((id) => add({ kind: 'user', id }));
  }
  // The first matched route whose team has someone on call now: its team is the incident's.
  let team: string | undefined;
  let onCall: Person | undefined;
  for (const route of matched) {
    const person = route.team && teams.has(route.team) ? onCallAt(teams.get(route.team)!, now) : undefined;
    if (person && !onCall) [team, onCall] = [route.team, person];
  }
  const escalation = matched.find((route) => route.escalation)?.escalation;
  const warRoom = matched.find((route) => route.warRoom)?.warRoom;
  return {
    routes: matched.map((route) => route.name),
    targets: [...targets.values()],
    ...(team ? { team } : {}),
    ...(onCall ? { onCall } : {}),
    ...(escalation ? { escalation } : {}),
    ...(warRoom ? { warRoom } : {}),
    channels: channelsBySeverity[alert.severity],
  };
}

export const targetKey = (target: Target) => `${target.kind}:${target.id}`;

/** Where a plan sends it, as its timeline says after 路由：: `payments；值班：刘洋`. */
export const routedDetail = (plan: RoutePlan) =>
  plan.routes.length
    ? `${plan.routes.join(', ')}${plan.onCall ? `；值班：${plan.onCall.name}` : ''}`
    : '没有匹配的路由';
