import { actionExecutors, type ActionExecutors } from '../automation/action-executors.js';
import { notInInventory } from '../automation/config.js';
import type { DeploymentApi } from '../automation/executors/deployments.js';
import { fileLogSearch, openSearchLogSearch } from '../automation/executors/log-search.js';
import type { RemoteShell } from '../automation/executors/remote-shell.js';
import { ExpectedError } from '../lambda/errors.js';
import { lazy, lazyAsync } from '../lambda/lazy.js';
import { automationConfig, secrets } from './adapters.js';
import { env } from './env.js';
import { configuredOpenSearch } from './opensearch.js';

/** The key automation logs in with over SSH, from the secret; without it restart_service says what is missing. */
async function sshKey(): Promise<string> {
  const key = (await secrets()).SSH_PRIVATE_KEY;
  if (!key)
    throw new ExpectedError(
      '未配置 SSH 私钥（密钥 SSH_PRIVATE_KEY），无法登录主机',
      'SSH_PRIVATE_KEY is not configured in the secret: restart_service cannot log in',
    );
  return key;
}

const clusters = new Map<string, DeploymentApi>();

/** A cluster's Deployment API from its kubeconfig, named in the inventory and kept in the secret (never on disk). */
async function deployments(cluster: string): Promise<DeploymentApi> {
  const secretKey = automationConfig().inventory.clusters[cluster]?.kubeconfigSecret;
  if (!secretKey) throw notInInventory('cluster', cluster);
  const kubeconfig = (await secrets())[secretKey];
  if (typeof kubeconfig !== 'string' || !kubeconfig) {
    throw new ExpectedError(
      `未配置集群 ${cluster} 的 kubeconfig（密钥 ${secretKey}），无法连接`,
      `${secretKey} (the kubeconfig of cluster ${cluster}) is not configured in the secret`,
    );
  }
  if (!clusters.has(cluster)) {
    // The Kubernetes client is loaded on first use: most invocations run no rollout, and it is most of the bundle.
    const { kubernetesDeploymentApi } = await import('../automation/executors/kubernetes.js');
    clusters.set(cluster, kubernetesDeploymentApi(kubeconfig));
  }
  return clusters.get(cluster)!;
}

/** SSH, loaded on first use like the Kubernetes client. */
const ssh = lazyAsync(async () => (await import('../automation/executors/ssh.js')).sshRemoteShell(sshKey));
const shell: RemoteShell = { run: async (host, argv, options) => (await ssh()).run(host, argv, options) };

/** OpenSearch where configured; the local runtime's demo file otherwise; neither, and check_logs says so. */
const logs = lazyAsync(async () => {
  const client = await configuredOpenSearch();
  if (client) return openSearchLogSearch(client, { index: automationConfig().inventory.logs.index });
  return env().LOCAL_LOGS_FILE ? fileLogSearch(env().LOCAL_LOGS_FILE) : undefined;
});

/** Every action's executor, over SSH, Kubernetes, the log store and HTTP. */
export const executors = /* @__PURE__ */ lazy((): ActionExecutors =>
  actionExecutors({ inventory: automationConfig().inventory, shell, deployments, logs }),
);
