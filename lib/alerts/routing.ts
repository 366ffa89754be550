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
  targets: Target[];
  onCall?: Person;
  channels: Channel[];
}

/** Severity decides the channels; routes decide the recipients. */
export type Channel = 'card' | 'urgent_app' | 'urgent_sms' | 'urgent_phone';
export const channelsBySeverity: Record<Severity, Channel[]> = {
  critical: ['card', 'urgent_app', 'urgent_sms', 'urgent_phone'],
  warning: ['card'],
  info: [],
};

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
  let onCall: Person | undefined;
  for (const route of matched) {
    route.chats.forEach((id) => add({ kind: 'chat', id }));
    route.users.forEach((id) => add({ kind: 'user', id }));
    const team = route.team ? teams.get(route.team) : undefined;
    const person = team ? onCallAt(team, now) : undefined;
    // The on-call person gets a card directly only when paged (see the urgent notifier): chats, not DMs, for the rest.
    onCall ??= person;
  }
  return {
    routes: matched.map((route) => route.name),
    targets: [...targets.values()],
    onCall,
    channels: channelsBySeverity[alert.severity],
  };
}

export const targetKey = (target: Target) => `${target.kind}:${target.id}`;
