import type { FeishuWebhookDeps } from '../chatops/webhook.js';
import { releaseAt } from '../incidents/release.js';
import { logger } from '../lambda/logger.js';
import {
  auditStore,
  automationQueue,
  commandsQueue,
  deliveryLedger,
  incidentRepository,
  metrics,
  requestStore,
  secrets,
  silenceStore,
  timersQueue,
} from './adapters.js';
import { detailLinks } from './detail-links.js';
import { env } from './env.js';

/**
 * What `feishu-webhook` needs: the app's event keys, the delivery ledger and commands queue of the inbox, and the
 * stores that card buttons change. Nothing here loads the Feishu SDK: the webhook answers with `node:crypto` alone.
 */
export function feishuWebhook(): FeishuWebhookDeps {
  const log = logger.child({ function: 'feishu-webhook' });
  const commands = commandsQueue();
  return {
    keys: async () => {
      const { FEISHU_VERIFICATION_TOKEN, FEISHU_ENCRYPT_KEY } = await secrets();
      return { verificationToken: FEISHU_VERIFICATION_TOKEN, encryptKey: FEISHU_ENCRYPT_KEY };
    },
    inbox: { ledger: deliveryLedger(), queue: commands, log, now: Date.now },
    cardActions: async () => ({
      approvals: { requests: requestStore(), audit: auditStore(), queue: automationQueue() },
      incidents: incidentRepository(),
      silences: silenceStore(),
      releaseMutes: (at, reason) => releaseAt(timersQueue(), at, reason, Date.now()),
      audit: auditStore(),
      queue: commands,
      log,
      now: Date.now,
      timeZone: env().DISPLAY_TIME_ZONE,
      detailLink: await detailLinks(),
    }),
    log,
    now: Date.now,
    metrics: metrics(),
  };
}
