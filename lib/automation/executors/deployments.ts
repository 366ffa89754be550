/** What the rollout logic needs to know of a Deployment, whatever client fetched it. */
export interface DeploymentState {
  generation: number;
  observedGeneration: number;
  /** Desired replicas (spec). */
  replicas: number;
  /** Replicas that exist (status), old and new. */
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  containers: { name: string; image: string }[];
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

/** The Deployment calls the Kubernetes actions make. The adapter is @kubernetes/client-node (./kubernetes.ts). */
export interface DeploymentApi {
  read(namespace: string, name: string): Promise<DeploymentState>;
  /** A strategic-merge patch (`application/strategic-merge-patch+json`): containers merge by name. */
  patch(namespace: string, name: string, patch: object): Promise<DeploymentState>;
}

export type RolloutProgress =
  { done: true } | { done: false; failed: true; reason: string } | { done: false; failed: false; waitingFor: string };

/**
 * `kubectl rollout status`'s rule: the controller has seen the latest spec, it did not give up
 * (ProgressDeadlineExceeded), every replica runs the new template, the old ones are gone, and the new ones are
 * available.
 */
export function rolloutProgress(state: DeploymentState): RolloutProgress {
  if (state.observedGeneration < state.generation)
    return { done: false, failed: false, waitingFor: '等待控制器处理新的配置' };
  const progressing = state.conditions.find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      done: false,
      failed: true,
      reason: `滚动超过期限（ProgressDeadlineExceeded）：${progressing.message ?? ''}`.trim(),
    };
  if (state.updatedReplicas < state.replicas)
    return { done: false, failed: false, waitingFor: `${state.updatedReplicas}/${state.replicas} 个副本已更新` };
  if (state.currentReplicas > state.updatedReplicas)
    return {
      done: false,
      failed: false,
      waitingFor: `还有 ${state.currentReplicas - state.updatedReplicas} 个旧副本待终止`,
    };
  if (state.availableReplicas < state.updatedReplicas)
    return {
      done: false,
      failed: false,
      waitingFor: `${state.availableReplicas}/${state.updatedReplicas} 个新副本可用`,
    };
  return { done: true };
}
