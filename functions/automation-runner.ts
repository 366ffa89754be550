import { loadAutomationConfig } from '../lib/automation/config.js';
import type { Executor } from '../lib/automation/executor.js';
import type { DeploymentApi } from '../lib/automation/executors/deployments.js';
import { httpCheckExecutor } from '../lib/automation/executors/http.js';
import { kubernetesDeploymentApi } from '../lib/automation/executors/kubernetes.js';
import { checkLogsExecutor, type LogSearch } from '../lib/automation/executors/logs.js';
import { fileLogSearch, openSearchLogSearch } from '../lib/automation/executors/log-search.js';
import { openSearchClient } from '../lib/root/opensearch.js';
import { rolloutRestartExecutor, setImageExecutor } from '../lib/automation/executors/rollout.js';
import { sshRemoteShell } from '../lib/automation/executors/ssh.js';
import { restartServiceExecutor } from '../lib/automation/executors/systemd.js';
import { requestCards } from '../lib/automation/cards.js';
import { handleAutomationTask, type RunnerDeps } from '../lib/automation/runner.js';
import { automationTaskSchema, type AutomationTask } from '../lib/automation/tasks.js';
import { feishuEscalationNotifier } from '../lib/alerts/notifiers/feishu-escalation.js';
import { messengerFromSecrets } from '../lib/feishu/client.js';
import { logger } from '../lib/lambda/logger.js';
import { eachRecord, sqsBatchHandler } from '../lib/lambda/sqs.js';
import { dynamoAuditStore } from '../lib/store/audit-table.js';
import { dynamoHealLedger, dynamoRequestStore } from '../lib/store/automation-table.js';
import { dynamoAlertRepository } from '../lib/store/alerts-table.js';
import { env } from '../lib/root/env.js';
import { documentClient } from '../lib/store/dynamo.js';
import { sqsQueue } from '../lib/store/sqs-queue.js';
import { defaultSecrets } from '../lib/root/secrets.js';

const log = logger.child({ function: 'automation-runner' });
const config = env();
const { inventory, automation } = loadAutomationConfig(config.CONFIG_DIR);
const secrets = defaultSecrets(config.SECRETS_ID);
const db = documentClient();
const requests = dynamoRequestStore(db, config.AUTOMATION_TABLE);

const sshKey = async () => {
  const key = (await secrets()).SSH_PRIVATE_KEY;
  if (!key) throw new Error('SSH_PRIVATE_KEY is not configured in the secret: restart_service cannot log in');
  return key;
};

const clusters = new Map<string, DeploymentApi>();
const apiFor = async (cluster: string) => {
  const secretKey = inventory.clusters[cluster]?.kubeconfigSecret;
  if (!secretKey) throw new Error(`cluster ${cluster} is not in the inventory`);
  const kubeconfig = (await secrets())[secretKey];
  if (typeof kubeconfig !== 'string' || !kubeconfig)
    throw new Error(`${secretKey} (the kubeconfig of cluster ${cluster}) is not configured in the secret`);
  if (!clusters.has(cluster)) clusters.set(cluster, kubernetesDeploymentApi(kubeconfig));
  return clusters.get(cluster)!;
};

/** OpenSearch where configured; the local runtime's demo file otherwise; neither, and check_logs says so. */
let search: Promise<LogSearch | undefined> | undefined;
async function createLogSearch(): Promise<LogSearch | undefined> {
  if (config.OPENSEARCH_URL) {
    const sigv4 = config.OPENSEARCH_SIGV4 ? { region: config.AWS_REGION, service: config.OPENSEARCH_SIGV4 } : undefined;
    return openSearchLogSearch(await openSearchClient({ url: config.OPENSEARCH_URL, sigv4 }), {
      index: inventory.logs.index,
    });
  }
  return config.LOCAL_LOGS_FILE ? fileLogSearch(config.LOCAL_LOGS_FILE) : undefined;
}

const executors: Partial<Record<string, Executor>> = {
  check_logs: async (args, context) => checkLogsExecutor(await (search ??= createLogSearch()))(args, context),
  restart_service: restartServiceExecutor(sshRemoteShell(sshKey), inventory),
  k8s_rollout_restart: rolloutRestartExecutor(inventory, { apiFor }),
  k8s_set_image: setImageExecutor(inventory, { apiFor }),
  http_check: httpCheckExecutor(inventory),
};

let deps: RunnerDeps | undefined;
async function dependencies(): Promise<RunnerDeps> {
  if (deps) return deps;
  const messenger = await messengerFromSecrets(secrets, config.FEISHU_DOMAIN, 'automation cannot report');
  const audit = dynamoAuditStore(db, config.AUDIT_TABLE);
  const queue = sqsQueue<AutomationTask>(config.AUTOMATION_QUEUE_URL);
  deps = {
    requests,
    audit,
    queue,
    now: Date.now,
    log,
    timeZone: config.DISPLAY_TIME_ZONE,
    executors,
    cards: requestCards(messenger, requests, { timeZone: config.DISPLAY_TIME_ZONE, log }),
    healing: {
      requests,
      audit,
      queue,
      inventory,
      automation,
      now: Date.now,
      log,
      alerts: dynamoAlertRepository(db, config.ALERTS_TABLE),
      ledger: dynamoHealLedger(db, config.AUTOMATION_TABLE),
      escalation: feishuEscalationNotifier(messenger),
      httpCheck: executors.http_check,
    },
  };
  return deps;
}

export const handler = sqsBatchHandler('automation-runner', async (records, batch) => {
  const runnerDeps = await dependencies();
  return eachRecord(
    records,
    batch,
    (record) => automationTaskSchema.parse(JSON.parse(record.body)),
    (task) => handleAutomationTask(task, runnerDeps),
    {
      name: 'automation-runner',
      reserveMs: 5_000,
      orderKey: (task) => ('requestId' in task ? task.requestId : `heal:${task.alertId}`),
    },
  );
});
