import { loadAlertingConfig } from '../lib/alerts/config.js';
import { loadAutomationConfig } from '../lib/automation/config.js';
import { requestCards } from '../lib/automation/cards.js';
import type { AutomationTask } from '../lib/automation/tasks.js';
import { feishuCardNotifier } from '../lib/alerts/notifiers/feishu-card.js';
import { configuredKnowledgeBase } from '../lib/root/knowledge.js';
import { openAiModel } from '../lib/kb/openai-model.js';
import { handleTask, type HandlerDeps } from '../lib/chatops/handle.js';
import { chatopsTaskSchema, type ChatopsTask } from '../lib/chatops/tasks.js';
import { messengerFromSecrets } from '../lib/feishu/client.js';
import { logger } from '../lib/lambda/logger.js';
import { eachRecord, sqsBatchHandler } from '../lib/lambda/sqs.js';
import { dynamoAlertRepository } from '../lib/store/alerts-table.js';
import { dynamoAuditStore } from '../lib/store/audit-table.js';
import { dynamoRequestStore } from '../lib/store/automation-table.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';
import { env } from '../lib/root/env.js';
import { documentClient } from '../lib/store/dynamo.js';
import { defaultSecrets } from '../lib/root/secrets.js';
import { dynamoSilenceStore } from '../lib/store/silences-table.js';

const log = logger.child({ function: 'chatops' });
const config = env();
const alerting = loadAlertingConfig(config.CONFIG_DIR);
const secrets = defaultSecrets(config.SECRETS_ID);
const db = documentClient();
const repo = dynamoAlertRepository(db, config.ALERTS_TABLE);
const { inventory, automation } = loadAutomationConfig(config.CONFIG_DIR);
const requests = dynamoRequestStore(db, config.AUTOMATION_TABLE);

let deps: HandlerDeps | undefined;
async function dependencies(): Promise<HandlerDeps> {
  if (deps) return deps;
  const messenger = await messengerFromSecrets(secrets, config.FEISHU_DOMAIN, 'chat commands cannot be answered');
  const cards = feishuCardNotifier(messenger, { timeZone: config.DISPLAY_TIME_ZONE });
  const { LLM_API_KEY } = await secrets();
  deps = {
    repo,
    silences: dynamoSilenceStore(db, config.SILENCES_TABLE),
    config: alerting,
    messenger,
    now: Date.now,
    timeZone: config.DISPLAY_TIME_ZONE,
    log,
    syncCards: (stored) => cards.notify({ stored }, { repo, now: () => new Date().toISOString(), log }),
    knowledge: await configuredKnowledgeBase(config, LLM_API_KEY),
    model:
      config.LLM_BASE_URL && config.LLM_MODEL && LLM_API_KEY
        ? openAiModel({ baseURL: config.LLM_BASE_URL, model: config.LLM_MODEL, apiKey: LLM_API_KEY })
        : undefined,
    automation: {
      requests,
      audit: dynamoAuditStore(db, config.AUDIT_TABLE),
      queue: sqsQueue<AutomationTask>(config.AUTOMATION_QUEUE_URL),
      inventory,
      automation,
      now: Date.now,
      log,
      cards: requestCards(messenger, requests, { timeZone: config.DISPLAY_TIME_ZONE, log }),
    },
  };
  return deps;
}

/** One chat's messages in order, so a reply never overtakes the answer to an earlier command; one alert's updates too. */
function orderKey(task: ChatopsTask): string {
  if (task.kind !== 'feishu_event') return `alert:${task.alertId}`;
  return `chat:${String((task.event.message as { chat_id?: string } | undefined)?.chat_id ?? task.eventId)}`;
}

export const handler = sqsBatchHandler('chatops', async (records, batch) => {
  const handlerDeps = await dependencies();
  return eachRecord(
    records,
    batch,
    (record) => chatopsTaskSchema.parse(JSON.parse(record.body)),
    (task, record) => handleTask(task, Number(record.attributes?.ApproximateReceiveCount ?? 1), handlerDeps),
    { name: 'chatops', reserveMs: 8_000, orderKey },
  );
});
