import type { ActionName } from './actions.js';
import type { Inventory } from './config.js';
import type { Executor } from './executor.js';
import type { DeploymentApi } from './executors/deployments.js';
import { diagnoseHostExecutor } from './executors/diagnose.js';
import { httpCheckExecutor } from './executors/http.js';
import { checkLogsExecutor, type LogSearch } from './executors/logs.js';
import type { RemoteShell } from './executors/remote-shell.js';
import { rolloutRestartExecutor, setImageExecutor } from './executors/rollout.js';
import { restartServiceExecutor } from './executors/systemd.js';

/** One executor per action of the registry (actions.ts): an action without one does not compile. */
export type ActionExecutors = Record<ActionName, Executor>;

/** What the executors reach the world through; the composition root gives the SSH, Kubernetes and log adapters. */
export interface ExecutorPorts {
  inventory: Inventory;
  shell: RemoteShell;
  /** The Deployment API of a cluster in the inventory. */
  deployments(cluster: string): Promise<DeploymentApi>;
  /** OpenSearch in AWS, the demo lines locally; undefined where neither is configured (check_logs then says so). */
  logs(): Promise<LogSearch | undefined>;
}

export function actionExecutors(ports: ExecutorPorts): ActionExecutors {
  const kubernetes = { apiFor: ports.deployments };
  return {
    restart_service: restartServiceExecutor(ports.shell, ports.inventory),
    k8s_rollout_restart: rolloutRestartExecutor(ports.inventory, kubernetes),
    k8s_set_image: setImageExecutor(ports.inventory, kubernetes),
    check_logs: async (args, context) => checkLogsExecutor(await ports.logs())(args, context),
    http_check: httpCheckExecutor(ports.inventory),
    diagnose_host: diagnoseHostExecutor(ports.shell, ports.inventory),
  };
}
