import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { k8sRolloutRestart, k8sSetImage } from '../../lib/automation/actions.js';
import type { Inventory } from '../../lib/automation/config.js';
import type { ExecutionContext } from '../../lib/automation/executor.js';
import { kubernetesDeploymentApi } from '../../lib/automation/executors/kubernetes.js';
import { rolloutRestartExecutor, setImageExecutor } from '../../lib/automation/executors/rollout.js';
import { KubeApiStandin } from '../support/kube-apiserver.js';
import { recordingLogger } from '../unit/fakes/logger.js';

/** The Kubernetes actions through the real @kubernetes/client-node against a stand-in API server on loopback. */
let apiserver: KubeApiStandin;
const inventory: Inventory = {
  hosts: {},
  clusters: { prod: { environment: 'prod', kubeconfigSecret: 'KUBECONFIG_PROD', namespaces: ['payments'] } },
  deployments: {},
  logs: { environment: 'prod', index: 'logs-*' },
  checks: {},
};

beforeAll(async () => {
  apiserver = await new KubeApiStandin().start();
});
afterAll(async () => {
  await apiserver?.stop();
});
beforeEach(() => {
  apiserver.addDeployment('payments', 'api', [
    { name: 'api', image: 'registry.example.com/payments/api:1.4.1' },
    { name: 'sidecar', image: 'envoy:1.30' },
  ]);
  apiserver.patches.length = 0;
});

const progress: string[] = [];
const context = (): ExecutionContext => ({
  log: recordingLogger(),
  progress: async (line) => void progress.push(line),
  deadline: Date.now() + 12 * 60_000,
});
const options = { apiFor: async () => kubernetesDeploymentApi(apiserver.kubeconfig()), pollMs: 10 };

describe('Kubernetes actions', () => {
  it('rollout restart patches the template with the strategic-merge content type and waits for every replica', async () => {
    const outcome = await rolloutRestartExecutor(inventory, options)(
      k8sRolloutRestart.args.parse({ cluster: 'prod', namespace: 'payments', deployment: 'api' }),
      context(),
    );
    expect(outcome).toMatchObject({ ok: true, summary: '已滚动重启 api（prod/payments），所有副本已更新并可用' });
    expect(apiserver.patches).toHaveLength(1);
    expect(apiserver.patches[0]).toMatchObject({
      path: expect.stringContaining('/apis/apps/v1/namespaces/payments/deployments/api'),
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(apiserver.patches[0]!.body).toEqual({
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': expect.any(String) } } } },
    });
    expect(outcome.output).toContain('rollout: 1/3 个副本已更新');
  });

  it('set image changes only the named container and waits for the rollout', async () => {
    const args = k8sSetImage.args.parse({
      cluster: 'prod',
      namespace: 'payments',
      deployment: 'api',
      container: 'api',
      image: 'registry.example.com/payments/api:1.4.2',
    });
    const outcome = await setImageExecutor(inventory, options)(args, context());
    expect(outcome).toMatchObject({
      ok: true,
      summary: expect.stringContaining('更新为 registry.example.com/payments/api:1.4.2，滚动完成'),
    });
    expect(apiserver.patches.map((p) => p.body)).toEqual([
      {
        spec: {
          template: { spec: { containers: [{ name: 'api', image: 'registry.example.com/payments/api:1.4.2' }] } },
        },
      },
    ]);
    expect(apiserver.deployment('payments', 'api')!.spec.template.spec.containers).toEqual([
      { name: 'api', image: 'registry.example.com/payments/api:1.4.2' },
      { name: 'sidecar', image: 'envoy:1.30' },
    ]);
  });

  it('a rollout that exceeds its progress deadline is rolled back to the previous image', async () => {
    apiserver.failingImages.add('registry.example.com/payments/api:9.9.9');
    const args = k8sSetImage.args.parse({
      cluster: 'prod',
      namespace: 'payments',
      deployment: 'api',
      container: 'api',
      image: 'registry.example.com/payments/api:9.9.9',
    });
    const outcome = await setImageExecutor(inventory, options)(args, context());
    expect(outcome).toMatchObject({
      ok: false,
      summary: expect.stringMatching(/ProgressDeadlineExceeded.*已回滚到 registry.example.com\/payments\/api:1.4.1/),
    });
    expect(apiserver.patches.map((p) => (p.body as any).spec.template.spec.containers[0].image)).toEqual([
      'registry.example.com/payments/api:9.9.9',
      'registry.example.com/payments/api:1.4.1',
    ]);
    expect(apiserver.deployment('payments', 'api')!.spec.template.spec.containers[0]!.image).toBe(
      'registry.example.com/payments/api:1.4.1',
    );
    expect(progress).toContain('滚动失败，正在回滚到 registry.example.com/payments/api:1.4.1');
  });

  it('says in Chinese what the API server refused (a missing deployment, a bad token) and why, the detail in English', async () => {
    const restart = (deployment: string, kubeconfig = apiserver.kubeconfig()) =>
      rolloutRestartExecutor(inventory, { apiFor: async () => kubernetesDeploymentApi(kubeconfig), pollMs: 10 })(
        k8sRolloutRestart.args.parse({ cluster: 'prod', namespace: 'payments', deployment }),
        context(),
      );
    await expect(restart('nope')).rejects.toMatchObject({
      userMessage: '更新 payments/nope 失败：找不到 Deployment payments/nope',
      message: expect.stringContaining('HTTP-Code: 404'),
    });
    const wrongToken = JSON.parse(apiserver.kubeconfig());
    wrongToken.users[0].user.token = 'not-the-token';
    await expect(restart('api', JSON.stringify(wrongToken))).rejects.toMatchObject({
      userMessage: '更新 payments/api 失败：Kubernetes 拒绝了请求（HTTP 401）：请检查 kubeconfig 的凭据和权限',
    });
  });

  it('refuses a container the deployment does not have, and a namespace the inventory does not allow', async () => {
    const run = setImageExecutor(inventory, options);
    await expect(
      run(
        k8sSetImage.args.parse({
          cluster: 'prod',
          namespace: 'payments',
          deployment: 'api',
          container: 'web',
          image: 'nginx:1.27',
        }),
        context(),
      ),
    ).rejects.toMatchObject({ userMessage: 'api（prod/payments） 中没有名为 web 的容器' });
    await expect(
      run(
        k8sSetImage.args.parse({
          cluster: 'prod',
          namespace: 'kube-system',
          deployment: 'api',
          container: 'api',
          image: 'nginx:1.27',
        }),
        context(),
      ),
    ).rejects.toMatchObject({ userMessage: '清单不允许操作集群 prod 的命名空间 kube-system' });
    expect(apiserver.patches).toEqual([]);
  });
});
