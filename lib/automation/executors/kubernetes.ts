import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
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

/** The Deployment API of one cluster, from its kubeconfig (kept in Secrets Manager, never on disk). */
export function kubernetesDeploymentApi(kubeconfig: string): DeploymentApi {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  const apps = config.makeApiClient(AppsV1Api);
  return {
    async read(namespace, name) {
      return stateOf(await apps.readNamespacedDeployment({ namespace, name }));
    },
    async patch(namespace, name, patch) {
      const options = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
      return stateOf(
        await apps.patchNamespacedDeployment({ namespace, name, body: patch, fieldManager: 'openclaw' }, options),
      );
    },
  };
}
