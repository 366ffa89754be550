import { loadAlertingConfig } from '../lib/alerts/config.js';
import type { ForwardedAlert } from '../lib/alerts/dedup.js';
import { alertSchema } from '../lib/alerts/model.js';
import { sourceAlertNames } from '../lib/alerts/inhibition.js';
import { configuredKnowledgeBase } from '../lib/root/knowledge.js';
import { relatedKnowledge } from '../lib/kb/related.js';
import { muteChecker } from '../lib/alerts/stages/mute.js';
import { feishuCardNotifier } from '../lib/alerts/notifiers/feishu-card.js';
import { feishuReminderNotifier } from '../lib/alerts/notifiers/feishu-reminder.js';
import { feishuUrgentNotifier } from '../lib/alerts/notifiers/feishu-urgent.js';
import { selfHealNotifier } from '../lib/automation/heal-notifier.js';
import { loadAutomationConfig } from '../lib/automation/config.js';
import type { AutomationTask } from '../lib/automation/tasks.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';
import { runAlertPath } from '../lib/alerts/pipeline.js';
import type { AlertPathContext } from '../lib/alerts/stages/stage.js';
import { messengerFromSecrets } from '../lib/feishu/client.js';
import { logger } from '../lib/lambda/logger.js';
import { eachRecord, sqsBatchHandler } from '../lib/lambda/sqs.js';
import { env } from '../lib/root/env.js';
import { documentClient } from '../lib/store/dynamo.js';
import { dynamoAlertRepository } from '../lib/store/alerts-table.js';
import { defaultSecrets } from '../lib/root/secrets.js';
import { dynamoSilenceStore } from '../lib/store/silences-table.js';
import * as z from 'zod';

const log = logger.child({ function: 'alert-router' });
const config = env();
const alerting = loadAlertingConfig(config.CONFIG_DIR);
const healRules = loadAutomationConfig(config.CONFIG_DIR).automation.selfHealing.rules;
const sourceNames = sourceAlertNames(alerting.inhibitRules);
const secrets = defaultSecrets(config.SECRETS_ID);
const repo = dynamoAlertRepository(documentClient(), config.ALERTS_TABLE);
const silences = dynamoSilenceStore(documentClient(), config.SILENCES_TABLE);
/** Inhibition needs the alerts firing now; a storm larger than this is already beyond muting one by one. */
const FIRING_SOURCES_LIMIT = 1000;

const forwardedSchema = z.object({
  alert: alertSchema,
  decision: z.enum(['open', 'remind', 'resolve']),
  count: z.number().int().positive(),
});

let deps: AlertPathContext | undefined;
async function dependencies(): Promise<AlertPathContext> {
  if (deps) return deps;
  const messenger = await messengerFromSecrets(secrets, config.FEISHU_DOMAIN, 'alerts cannot be sent');
  deps = {
    repo,
    config: alerting,
    notifiers: [
      feishuCardNotifier(messenger, { timeZone: config.DISPLAY_TIME_ZONE }),
      feishuUrgentNotifier(messenger),
      feishuReminderNotifier(messenger, { everyMs: alerting.reminderIntervalSeconds * 1000 }),
      selfHealNotifier(sqsQueue<AutomationTask>(config.AUTOMATION_QUEUE_URL), healRules),
    ],
    log,
    now: Date.now,
    relatedKnowledge: await configuredKnowledgeBase(config, (await secrets()).LLM_API_KEY).then(
      (kb) => kb && relatedKnowledge(kb),
    ),
  };
  return deps;
}

export const handler = sqsBatchHandler('alert-router', async (records, batch) => {
  // Silences and firing alerts are read once per batch (and only when needed), not once per alert.
  const mute = muteChecker(
    { silences: () => silences.list(), firing: () => repo.firingAlerts(FIRING_SOURCES_LIMIT, sourceNames) },
    alerting.inhibitRules,
    Date.now(),
  );
  const context = { ...(await dependencies()), muteReason: mute };
  return eachRecord(
    records,
    batch,
    (record) => forwardedSchema.parse(JSON.parse(record.body)) as ForwardedAlert,
    async (item) => {
      await runAlertPath(item, context);
    },
    { name: 'alert-router', reserveMs: 10_000, orderKey: (item) => item.alert.fingerprint },
  );
});
