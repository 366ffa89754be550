import { loadAlertingConfig } from '../lib/alerts/config.js';
import { dedupAlerts, type ForwardedAlert } from '../lib/alerts/dedup.js';
import { alertSchema, type Alert } from '../lib/alerts/model.js';
import { sqsBatchHandler, type SqsRecord } from '../lib/lambda/sqs.js';
import { logger } from '../lib/lambda/logger.js';
import { env } from '../lib/root/env.js';
import { dynamoDedupStore } from '../lib/store/dedup-table.js';
import { documentClient } from '../lib/store/dynamo.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';

const log = logger.child({ function: 'alert-dedup' });
const config = env();
const windows = loadAlertingConfig(config.CONFIG_DIR).dedup;
const store = dynamoDedupStore(documentClient(), config.DEDUP_TABLE);
const notifyQueue = sqsQueue<ForwardedAlert>(config.NOTIFY_QUEUE_URL);

export const handler = sqsBatchHandler('alert-dedup', async (records) => {
  const failed = new Set<string>();
  const byEvent = new Map<string, SqsRecord>();
  const alerts: Alert[] = [];
  for (const record of records) {
    const parsed = safeParse(record);
    if (!parsed) {
      failed.add(record.messageId);
      continue;
    }
    alerts.push(parsed);
    byEvent.set(parsed.eventId, record);
  }
  const result = await dedupAlerts(alerts, {
    store,
    windows,
    forward: async (items) => (await notifyQueue.sendAll(items)).failed,
    onError: (alert, error) =>
      log.error('dedup write failed', { eventId: alert.eventId, fingerprint: alert.fingerprint, error }),
  });
  for (const alert of result.failed) failed.add(byEvent.get(alert.eventId)!.messageId);
  log.info('alerts deduplicated', {
    received: alerts.length,
    forwarded: result.forwarded.length,
    repeats: result.repeats,
    failed: result.failed.length,
  });
  return failed;
});

/** A malformed message cannot get better by retrying, but it must not vanish either: it fails until it reaches the DLQ. */
function safeParse(record: SqsRecord): Alert | undefined {
  try {
    return alertSchema.parse(JSON.parse(record.body));
  } catch (error) {
    log.error('malformed alert message', { messageId: record.messageId, error });
    return undefined;
  }
}
