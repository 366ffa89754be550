import { withOverrides } from '../alerts/overrides.js';
import { bitableRegister } from '../feishu/bitable.js';
import type { Messenger } from '../feishu/messenger.js';
import { ROUND_RETRIES } from '../feishu/paced-messenger.js';
import type { ReleaseDeps } from '../incidents/release.js';
import type { postWeeklyReport } from '../incidents/report-schedule.js';
import { rosterNames } from '../incidents/timeline.js';
import type { StoredIncident } from '../incidents/model.js';
import { proposeAction } from '../automation/propose.js';
import { languageModel } from './knowledge.js';
import type { WorkerDeps } from '../incidents/worker.js';
import { lazyAsync } from '../lambda/lazy.js';
import { logger, type Logger } from '../lambda/logger.js';
import {
  alertRepository,
  alertingConfig,
  automationConfig,
  incidentRepository,
  metrics,
  mutesNow,
  overrideStore,
  secrets,
  timersQueue,
} from './adapters.js';
import { detailLinks } from './detail-links.js';
import { env } from './env.js';
import { messenger } from './feishu.js';

/**
 * What the incident worker needs to page and deliver through `feishu`: the escalation policies, the teams with the
 * overrides set from chat as they are now, and the timers queue for the next wakeup. Also what chat uses to escalate
 * by hand, so a level paged from chat is paged exactly as the worker pages it.
 */
export async function workerDeps(feishu: Messenger, log: Logger): Promise<WorkerDeps> {
  const config = alertingConfig();
  const now = () => new Date().toISOString();
  const overrides = await overrideStore().current(now());
  return {
    messenger: feishu,
    incidents: incidentRepository(),
    teams: withOverrides(config.teams, overrides),
    policies: config.policies,
    timeZone: env().DISPLAY_TIME_ZONE,
    detailLink: await detailLinks(),
    now,
    log,
    wakeups: timersQueue(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    reminderEveryMs: config.reminderIntervalSeconds * 1000,
    warRoomSeverities: config.collaboration.warRoomSeverities,
    metrics: metrics(),
  };
}

/**
 * What `incident-timers` (the incident worker) needs: the worker's dependencies (the overrides read once per batch),
 * and for releasing muted alerts the silences and firing alerts (read once per batch, when a release asks). The
 * configuration is read at cold start.
 */
export function incidentTimers() {
  alertingConfig(); // read now: a bad file stops the function at cold start, with its message
  const log = logger.child({ function: 'incident-timers' });
  // Rounds retry by themselves (worker.ts): calls are tried once more at most, so no batch waits on a failing Feishu.
  const feishu = lazyAsync(() => messenger('incident cards and pages cannot be sent', ROUND_RETRIES));
  const register = lazyAsync(async () => {
    const { BITABLE_APP_TOKEN, BITABLE_TABLE_ID, FEISHU_DOMAIN } = env();
    if (!BITABLE_APP_TOKEN || !BITABLE_TABLE_ID) return undefined;
    const { FEISHU_APP_ID, FEISHU_APP_SECRET } = await secrets();
    if (!FEISHU_APP_ID || !FEISHU_APP_SECRET) return undefined;
    const credentials = { appId: FEISHU_APP_ID, appSecret: FEISHU_APP_SECRET, domain: FEISHU_DOMAIN };
    return bitableRegister(credentials, { appToken: BITABLE_APP_TOKEN, tableId: BITABLE_TABLE_ID });
  });
  // With a model configured, it proposes an action for incidents whose runbook suggests none (propose.ts).
  const proposer = lazyAsync(async () => {
    const model = await languageModel();
    if (!model) return undefined;
    const hosts = Object.keys(automationConfig().inventory.hosts);
    return (incident: StoredIncident) => proposeAction(model, incident, hosts);
  });
  return {
    async forBatch(): Promise<WorkerDeps & ReleaseDeps & Parameters<typeof postWeeklyReport>[1]> {
      const deps = await workerDeps(await feishu(), log);
      const { collaboration, teams } = alertingConfig();
      return {
        ...deps,
        register: await register(),
        proposeAction: await proposer(),
        alerts: alertRepository(),
        muteReason: mutesNow(),
        chatId: collaboration.weeklyReport?.chatId,
        names: rosterNames(teams.values()),
      };
    },
  };
}
