import { ingest, type IngestDeps } from '../lib/alerts/ingest.js';
import type { Alert, AlertSource } from '../lib/alerts/model.js';
import { HttpError } from '../lib/lambda/errors.js';
import { httpHandler, json } from '../lib/lambda/http.js';
import { logger } from '../lib/lambda/logger.js';
import { env, listOf } from '../lib/root/env.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';
import { defaultSecrets } from '../lib/root/secrets.js';
import { snsGateway } from '../lib/alerts/sources/sns.js';

let deps: IngestDeps | undefined;
function dependencies(): IngestDeps {
  if (deps) return deps;
  const config = env();
  const secrets = defaultSecrets(config.SECRETS_ID);
  deps = {
    tokens: async () => listOf((await secrets()).ALERT_TOKEN),
    queue: sqsQueue<Alert>(config.ALERTS_QUEUE_URL),
    sns: snsGateway(),
    allowedTopics: listOf(config.CLOUDWATCH_TOPIC_ARNS),
    log: logger.child({ function: 'alert-ingest' }),
  };
  return deps;
}

const sources: Record<string, AlertSource> = {
  alertmanager: 'alertmanager',
  cloudwatch: 'cloudwatch',
  generic: 'generic',
};

export const handler = httpHandler(
  'alert-ingest',
  { maxBodyBytes: 1024 * 1024 },
  async ({ event, headers, rawBody }) => {
    const source = sources[event.rawPath.split('/').pop() ?? ''];
    if (!source) throw new HttpError(404, `no alert source at ${event.rawPath}`);
    const result = await ingest(source, { headers, rawBody }, dependencies());
    return json(result.statusCode, result.body);
  },
);
