import { answerCardAction, type CardActionDeps } from '../lib/chatops/card-actions.js';
import { acceptEvent, type InboxDeps } from '../lib/chatops/inbox.js';
import type { ChatopsTask } from '../lib/chatops/tasks.js';
import { cardActionSchema } from '../lib/feishu/events.js';
import { openFeishuRequest, type WebhookSecrets } from '../lib/feishu/webhook.js';
import { HttpError } from '../lib/lambda/errors.js';
import { httpHandler, json } from '../lib/lambda/http.js';
import { logger } from '../lib/lambda/logger.js';
import type { AutomationTask } from '../lib/automation/tasks.js';
import { dynamoAlertRepository } from '../lib/store/alerts-table.js';
import { dynamoAuditStore } from '../lib/store/audit-table.js';
import { dynamoRequestStore } from '../lib/store/automation-table.js';
import { env } from '../lib/root/env.js';
import { dynamoDeliveryLedger } from '../lib/store/deliveries-table.js';
import { documentClient } from '../lib/store/dynamo.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';
import { defaultSecrets } from '../lib/root/secrets.js';
import { dynamoSilenceStore } from '../lib/store/silences-table.js';

const log = logger.child({ function: 'feishu-webhook' });
const config = env();
const secrets = defaultSecrets(config.SECRETS_ID);
const db = documentClient();
const queue = sqsQueue<ChatopsTask>(config.COMMANDS_QUEUE_URL);
const inbox: InboxDeps = { ledger: dynamoDeliveryLedger(db, config.DELIVERIES_TABLE), queue, log, now: Date.now };
const cardActions: CardActionDeps = {
  approvals: {
    requests: dynamoRequestStore(db, config.AUTOMATION_TABLE),
    audit: dynamoAuditStore(db, config.AUDIT_TABLE),
    queue: sqsQueue<AutomationTask>(config.AUTOMATION_QUEUE_URL),
  },
  repo: dynamoAlertRepository(db, config.ALERTS_TABLE),
  silences: dynamoSilenceStore(db, config.SILENCES_TABLE),
  queue,
  log,
  now: Date.now,
  timeZone: config.DISPLAY_TIME_ZONE,
};

async function webhookSecrets(): Promise<WebhookSecrets> {
  const { FEISHU_VERIFICATION_TOKEN, FEISHU_ENCRYPT_KEY } = await secrets();
  // Without the token nothing can be authenticated: refuse everything, loudly, rather than accept anything.
  if (!FEISHU_VERIFICATION_TOKEN) throw new HttpError(503, 'FEISHU_VERIFICATION_TOKEN is not configured');
  return { verificationToken: FEISHU_VERIFICATION_TOKEN, encryptKey: FEISHU_ENCRYPT_KEY || undefined };
}

/** Feishu sends events and card callbacks here; both are answered well inside its 3 s (the URL check in 1 s). */
export const handler = httpHandler('feishu-webhook', { maxBodyBytes: 512 * 1024 }, async ({ rawBody, headers }) => {
  const request = openFeishuRequest(rawBody, headers, await webhookSecrets(), Date.now());
  if (request.kind === 'challenge') return json(200, { challenge: request.challenge });
  const { envelope } = request;
  if (envelope.header.event_type === 'card.action.trigger') {
    const action = cardActionSchema.safeParse(envelope.event);
    if (!action.success) return json(200, { toast: { type: 'error', content: '无法识别的卡片回调' } });
    try {
      return json(200, await answerCardAction(action.data, envelope.header.event_id, cardActions));
    } catch (error) {
      // Card callbacks are never retried: say so to the person who clicked, in words, not with Feishu's generic error.
      log.error('card action failed', { eventId: envelope.header.event_id, error });
      return json(200, { toast: { type: 'error', content: '操作失败，请稍后重试；如持续失败请联系平台管理员' } });
    }
  }
  const accepted = await acceptEvent(envelope, inbox);
  return json(200, { accepted });
});
