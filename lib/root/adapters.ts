import { loadAlertingConfig } from '../alerts/config.js';
import type { ForwardedAlert } from '../alerts/dedup.js';
import { sourceAlertNames } from '../alerts/inhibition.js';
import type { Alert } from '../alerts/model.js';
import { muteChecker } from '../alerts/stages/mute.js';
import { incidentRules, loadAutomationConfig } from '../automation/config.js';
import { holdersOf } from '../automation/permissions.js';
import type { PermissionRules } from '../incidents/permissions.js';
import type { AutomationTask } from '../automation/tasks.js';
import type { ChatopsTask } from '../chatops/tasks.js';
import type { TimerMessage } from '../incidents/release.js';
import { lazy } from '../lambda/lazy.js';
import { emfMetrics, METRICS_NAMESPACE } from '../lambda/metrics.js';
import { dynamoAlertRepository } from '../store/alerts-table.js';
import { dynamoAuditStore } from '../store/audit-table.js';
import { dynamoHealLedger, dynamoRequestStore } from '../store/automation-table.js';
import { dynamoDedupStore } from '../store/dedup-table.js';
import { dynamoDeliveryLedger } from '../store/deliveries-table.js';
import { dynamoIncidentRepository } from '../store/incidents-table.js';
import { documentClient } from '../store/dynamo.js';
import { dynamoOverrideStore } from '../store/overrides-table.js';
import { dynamoSendBudget } from '../store/send-budget-table.js';
import { dynamoSilenceStore } from '../store/silences-table.js';
import { sqsQueue } from '../store/sqs-queue.js';
import { env, listOf } from './env.js';
import { defaultSecrets } from './secrets.js';

/*
 * The composition root's shared factories: each adapter is made once per container, on first use, from the
 * environment. Handlers take what they need through the factories in this folder, never by building adapters.
 */

const secretValues = /* @__PURE__ */ lazy(() => defaultSecrets(env().SECRETS_ID));
/** The secret values (Secrets Manager in AWS, env vars locally), cached for five minutes. */
export const secrets = () => secretValues()();
/** The bearer tokens of the alert sources and the knowledge-base API (two while one is rotated). */
export const apiTokens = async () => listOf((await secrets()).ALERT_TOKEN);

/**
 * The platform's own metrics (lib/lambda/metrics.ts), written as EMF lines once per invocation (publishMetrics); one
 * buffer per container, the stage a dimension of every metric.
 */
export const metrics = /* @__PURE__ */ lazy(() =>
  emfMetrics({ namespace: METRICS_NAMESPACE, dimensions: { Stage: env().STAGE } }),
);

/** routing.yaml and oncall.yaml, checked against each other. */
export const alertingConfig = /* @__PURE__ */ lazy(() => loadAlertingConfig(env().CONFIG_DIR));
/** automation.yaml and inventory.yaml. */
export const automationConfig = /* @__PURE__ */ lazy(() => loadAutomationConfig(env().CONFIG_DIR));

/** The DynamoDB tables, each as the port its domain defines. */
export const alertRepository = /* @__PURE__ */ lazy(() => dynamoAlertRepository(documentClient(), env().ALERTS_TABLE));
export const incidentRepository = /* @__PURE__ */ lazy(() =>
  dynamoIncidentRepository(documentClient(), env().INCIDENTS_TABLE),
);
export const dedupStore = /* @__PURE__ */ lazy(() => dynamoDedupStore(documentClient(), env().DEDUP_TABLE));
export const silenceStore = /* @__PURE__ */ lazy(() => dynamoSilenceStore(documentClient(), env().SILENCES_TABLE));
export const overrideStore = /* @__PURE__ */ lazy(() =>
  dynamoOverrideStore(documentClient(), env().ONCALL_OVERRIDES_TABLE),
);
export const deliveryLedger = /* @__PURE__ */ lazy(() =>
  dynamoDeliveryLedger(documentClient(), env().DELIVERIES_TABLE),
);
/** Feishu's send budgets, shared by every function that sends (kept beside the delivery ledger). */
export const sendBudget = /* @__PURE__ */ lazy(() => dynamoSendBudget(documentClient(), env().DELIVERIES_TABLE));
export const requestStore = /* @__PURE__ */ lazy(() => dynamoRequestStore(documentClient(), env().AUTOMATION_TABLE));
export const healLedger = /* @__PURE__ */ lazy(() => dynamoHealLedger(documentClient(), env().AUTOMATION_TABLE));
export const auditStore = /* @__PURE__ */ lazy(() => dynamoAuditStore(documentClient(), env().AUDIT_TABLE));

/** The queues between the functions. */
export const alertsQueue = /* @__PURE__ */ lazy(() => sqsQueue<Alert>(env().ALERTS_QUEUE_URL));
export const notifyQueue = /* @__PURE__ */ lazy(() => sqsQueue<ForwardedAlert>(env().NOTIFY_QUEUE_URL));
export const commandsQueue = /* @__PURE__ */ lazy(() => sqsQueue<ChatopsTask>(env().COMMANDS_QUEUE_URL));
export const automationQueue = /* @__PURE__ */ lazy(() => sqsQueue<AutomationTask>(env().AUTOMATION_QUEUE_URL));
export const timersQueue = /* @__PURE__ */ lazy(() => sqsQueue<TimerMessage>(env().TIMERS_QUEUE_URL));

/** Inhibition needs the alerts firing now; a storm larger than this is already beyond muting one by one. */
const FIRING_SOURCES_LIMIT = 1000;

/**
 * Silences and inhibition as they are now, for the alert path and the release of muted alerts: the silences and the
 * firing source alerts are read at most once per checker, so make one per batch.
 */
export function mutesNow() {
  const { inhibitRules } = alertingConfig();
  const sources = sourceAlertNames(inhibitRules);
  const silences = silenceStore();
  const alerts = alertRepository();
  return muteChecker(
    { silences: () => silences.list(), firing: () => alerts.firingAlerts(FIRING_SOURCES_LIMIT, sources) },
    inhibitRules,
    Date.now(),
  );
}

/** Who may act on incidents and on-call (automation.yaml's `incidents`, with the roles' holders). */
export const permissionRules = /* @__PURE__ */ lazy((): PermissionRules => {
  const { automation } = automationConfig();
  return { ...incidentRules(automation), holders: (role) => holdersOf(role, automation) };
});
