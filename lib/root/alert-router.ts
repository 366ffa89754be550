import { incidentWakeupNotifier } from '../alerts/notifiers/incident-wakeup.js';
import { muteReleaseNotifier } from '../alerts/notifiers/mute-release.js';
import { withOverrides } from '../alerts/overrides.js';
import type { AlertPathContext } from '../alerts/stages/stage.js';
import type { RoutePlan } from '../alerts/routing.js';
import type { Alert } from '../alerts/model.js';
import { selfHealNotifier } from '../automation/heal-notifier.js';
import { suggestedAction } from '../automation/suggest.js';
import { incidentPermits, permittedNames } from '../incidents/permissions.js';
import { rosterNames } from '../incidents/timeline.js';
import { relatedKnowledge } from '../kb/related.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger } from '../lambda/logger.js';
import {
  alertRepository,
  alertingConfig,
  automationConfig,
  automationQueue,
  incidentRepository,
  metrics,
  overrideStore,
  permissionRules,
  mutesNow,
  timersQueue,
} from './adapters.js';
import { knowledgeBase } from './knowledge.js';

/**
 * What `alert-router` needs: the alert path's context, made per SQS batch so silences, firing alerts and on-call
 * overrides are read at most once per batch. Feishu is not among them: the incident worker talks to it. The
 * configuration is read when this is called (at cold start), so a bad file stops the function with its message.
 */
export function alertRouter() {
  const config = alertingConfig();
  const healRules = automationConfig().automation.selfHealing.rules;
  const log = logger.child({ function: 'alert-router' });
  const notifiers = [
    incidentWakeupNotifier(timersQueue()),
    muteReleaseNotifier(timersQueue(), config.inhibitRules),
    selfHealNotifier(automationQueue(), healRules),
  ];
  const rules = permissionRules();
  const { hosts } = automationConfig().inventory;
  const diagnosable = (host: string) => Object.hasOwn(hosts, host);
  const roster = rosterNames(config.teams.values());
  // Who may act on an incident: its route teams' members and the roles automation.yaml names.
  const permitsFor = (plan: RoutePlan) => {
    const teamNames = plan.routes.map((name) => config.routes.find((route) => route.name === name)?.team);
    const teams = [...new Set(teamNames)].flatMap((name) => (name && config.teams.get(name)) || []);
    const permits = incidentPermits(teams, rules);
    return { permits, names: permittedNames(permits, roster) };
  };
  // The best runbook section for an alert, with the action its runbook suggests, if any passes its schema.
  const related = lazyAsync(async () => {
    const kb = await knowledgeBase();
    if (!kb) return undefined;
    const lookup = relatedKnowledge(kb);
    return async (alert: Alert) => {
      const found = await lookup(alert);
      if (!found) return undefined;
      const { actions, ...section } = found;
      const suggested = suggestedAction(actions, alert);
      return suggested ? { ...section, suggested } : section;
    };
  });
  return {
    async forBatch(): Promise<AlertPathContext> {
      const repo = alertRepository();
      const muteReason = mutesNow();
      const overrides = await overrideStore().current(new Date().toISOString());
      return {
        repo,
        incidents: incidentRepository(),
        config: { ...config, teams: withOverrides(config.teams, overrides) },
        notifiers,
        log,
        now: Date.now,
        muteReason,
        relatedKnowledge: await related(),
        permitsFor,
        diagnosable,
        metrics: metrics(),
      };
    },
  };
}
