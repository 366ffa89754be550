import { clusterFor, type Inventory } from '../config.js';
import { InventoryError, type ExecutionContext, type Executor } from '../executor.js';
import { rolloutProgress, type DeploymentApi } from './deployments.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Kept back from the new image's rollout so a rollback still fits in the action's time. */
const ROLLBACK_RESERVE_MS = 3 * 60_000;

export interface RolloutOptions {
  /** The cluster's Deployment API (the runner builds it from the cluster's kubeconfig secret). */
  apiFor(cluster: string): Promise<DeploymentApi>;
  pollMs?: number;
}

/** Polls until the rollout is complete, has failed, or the deadline comes; the lines go to the progress card. */
async function waitForRollout(
  api: DeploymentApi,
  namespace: string,
  name: string,
  context: ExecutionContext,
  pollMs: number,
  lines: string[],
) {
  let last = '';
  for (;;) {
    const progress = rolloutProgress(await api.read(namespace, name));
    if (progress.done) return { ok: true as const };
    if (progress.failed) return { ok: false as const, reason: progress.reason };
    if (progress.waitingFor !== last) {
      last = progress.waitingFor;
      lines.push(`rollout: ${last}`);
      await context.progress(`等待滚动完成：${last}`);
    }
    if (Date.now() + pollMs > context.deadline) return { ok: false as const, reason: `等待滚动超时（${last}）` };
    await sleep(pollMs);
  }
}

/**
 * `k8s_rollout_restart`: what `kubectl rollout restart` does (a new template annotation), then wait for the rollout.
 */
export function rolloutRestartExecutor(inventory: Inventory, options: RolloutOptions): Executor {
  return async (args, context) => {
    clusterFor(args, inventory);
    const { cluster, namespace, deployment } = args as Record<string, string>;
    const api = await options.apiFor(cluster!);
    const lines = [`PATCH deployment ${namespace}/${deployment} (strategic merge): restartedAt`];
    await api.patch(namespace!, deployment!, {
      spec: {
        template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } },
      },
    });
    const result = await waitForRollout(api, namespace!, deployment!, context, options.pollMs ?? 2_000, lines);
    const where = `${deployment}（${cluster}/${namespace}）`;
    return result.ok
      ? { ok: true, summary: `已滚动重启 ${where}，所有副本已更新并可用`, output: lines.join('\n') }
      : { ok: false, summary: `滚动重启 ${where} 未完成：${result.reason}`, output: lines.join('\n') };
  };
}

/**
 * `k8s_set_image`: sets one container's image (strategic merge, by container name), waits for the rollout, and if it
 * fails puts the previous image back and waits for that rollout too, so a bad image does not stay half rolled out.
 */
export function setImageExecutor(inventory: Inventory, options: RolloutOptions): Executor {
  return async (args, context) => {
    clusterFor(args, inventory);
    const { cluster, namespace, deployment, container, image } = args as Record<string, string>;
    const api = await options.apiFor(cluster!);
    const where = `${deployment}（${cluster}/${namespace}）`;
    const current = (await api.read(namespace!, deployment!)).containers.find((entry) => entry.name === container);
    if (!current)
      throw new InventoryError(
        `${where} 中没有名为 ${container} 的容器`,
        `deployment ${namespace}/${deployment} in cluster ${cluster} has no container ${container}`,
      );
    if (current.image === image)
      return { ok: true, summary: `${where} 的 ${container} 已经是 ${image}，无需更新`, output: '' };
    const setImage = (to: string) =>
      api.patch(namespace!, deployment!, {
        spec: { template: { spec: { containers: [{ name: container, image: to }] } } },
      });
    const lines = [
      `PATCH deployment ${namespace}/${deployment} (strategic merge): ${container} ${current.image} → ${image}`,
    ];
    await setImage(image!);
    const forward = { ...context, deadline: context.deadline - ROLLBACK_RESERVE_MS };
    const result = await waitForRollout(api, namespace!, deployment!, forward, options.pollMs ?? 2_000, lines);
    if (result.ok)
      return { ok: true, summary: `已将 ${where} 的 ${container} 更新为 ${image}，滚动完成`, output: lines.join('\n') };

    lines.push(
      `rollout failed: ${result.reason}`,
      `PATCH deployment ${namespace}/${deployment} (strategic merge): rollback ${container} → ${current.image}`,
    );
    await context.progress(`滚动失败，正在回滚到 ${current.image}`);
    await setImage(current.image);
    const rollback = await waitForRollout(api, namespace!, deployment!, context, options.pollMs ?? 2_000, lines);
    const after = rollback.ok
      ? `已回滚到 ${current.image}`
      : `回滚到 ${current.image} 也未完成（${rollback.reason}），需要人工处理`;
    return { ok: false, summary: `更新 ${where} 失败（${result.reason}），${after}`, output: lines.join('\n') };
  };
}
