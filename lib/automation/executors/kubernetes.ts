import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { ExpectedError } from '../../lambda/errors.js';
import { connectionProblem } from '../executor.js';
import type { DeploymentApi, DeploymentState } from './deployments.js';

function stateOf(deployment: V1Deployment): DeploymentState {
  return {
    generation: deployment.metadata?.generation ?? 0,
    observedGeneration: deployment.status?.observedGeneration ?? 0,
    replicas: deployment.spec?.replicas ?? 1,
    currentReplicas: deployment.status?.replicas ?? 0,
    updatedReplicas: deployment.status?.updatedReplicas ?? 0,
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    containers: (deployment.spec?.template.spec?.containers ?? []).map((container) => ({
      name: container.name,
      image: container.image ?? '',
    })),
    conditions: (deployment.status?.conditions ?? []).map(({ type, status, reason, message }) => ({
      type,
      status,
      reason,
      message,
    })),
  };
}

/**
 * What the API server (or the way to it) said, as people are told it; the client's own message, with the response
 * body and headers, goes to the log.
 */
function refused(error: unknown, what: string, namespace: string, name: string): ExpectedError {
  const status = (error as { code?: unknown }).code;
  const problem =
    status === 404
      ? `找不到 Deployment ${namespace}/${name}`
      : status === 401 || status === 403
        ? `Kubernetes 拒绝了请求（HTTP ${status}）：请检查 kubeconfig 的凭据和权限`
        : typeof status === 'number'
          ? `Kubernetes API 返回 HTTP ${status}`
          : `无法连接 Kubernetes API：${connectionProblem(error)}`;
  return new ExpectedError(`${what} ${namespace}/${name} 失败：${problem}`, (error as Error).message);
}

/** The Deployment API of one cluster, from its kubeconfig (kept in Secrets Manager, never on disk). */
export function kubernetesDeploymentApi(kubeconfig: string): DeploymentApi {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  const apps = config.makeApiClient(AppsV1Api);
  return {
    async read(namespace, name) {
      const deployment = await apps
        .readNamespacedDeployment({ namespace, name })
        .catch((error: unknown) => Promise.reject(refused(error, '读取', namespace, name)));
      return stateOf(deployment);
    },
    async patch(namespace, name, patch) {
      const options = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
      const deployment = await apps
        .patchNamespacedDeployment({ namespace, name, body: patch, fieldManager: 'openclaw' }, options)
        .catch((error: unknown) => Promise.reject(refused(error, '更新', namespace, name)));
      return stateOf(deployment);
    },
  };
}
