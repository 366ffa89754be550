import type { IngestDeps } from '../alerts/ingest.js';
import { snsGateway } from '../alerts/sources/sns.js';
import { logger } from '../lambda/logger.js';
import { alertsQueue, apiTokens, metrics } from './adapters.js';
import { env, listOf } from './env.js';

/**
 * What `alert-ingest` needs: the sources' tokens, SNS verification, the allowed topics (the configured ones and the
 * stack's own alarm topic) and the alerts queue.
 */
export const alertIngest = (): IngestDeps => ({
  tokens: apiTokens,
  queue: alertsQueue(),
  sns: snsGateway(),
  allowedTopics: listOf(`${env().CLOUDWATCH_TOPIC_ARNS},${env().ALARM_TOPIC_ARN}`),
  log: logger.child({ function: 'alert-ingest' }),
  metrics: metrics(),
});
