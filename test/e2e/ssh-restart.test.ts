import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseHost, restartService } from '../../lib/automation/actions.js';
import { diagnoseHostExecutor } from '../../lib/automation/executors/diagnose.js';
import type { Inventory } from '../../lib/automation/config.js';
import type { ExecutionContext } from '../../lib/automation/executor.js';
import { hostKeyFingerprint, sshRemoteShell } from '../../lib/automation/executors/ssh.js';
import { restartServiceExecutor } from '../../lib/automation/executors/systemd.js';
import { freePort } from '../../infra/local/peers.js';
import { recordingLogger } from '../unit/fakes/logger.js';
import { TestSshd } from '../support/sshd.js';

/** restart_service against a real OpenSSH server on loopback, with a recording systemctl on its PATH. */
let sshd: TestSshd;
let inventory: Inventory;

beforeAll(async () => {
  sshd = await new TestSshd().start();
  const host = {
    address: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    environment: 'staging',
    hostKey: sshd.hostKeyFingerprint,
    sudo: false,
  };
  inventory = {
    hosts: {
      'web-01': { ...host, units: ['nginx', 'payments-api'] },
      'impostor-01': { ...host, hostKey: `SHA256:${'A'.repeat(43)}` },
      // Nothing listens there: the port was free a moment ago.
      'closed-01': { ...host, port: await freePort() },
    },
    clusters: {},
    deployments: {},
    logs: { environment: 'staging', index: 'logs-*' },
    checks: {},
  };
});
afterAll(async () => {
  await sshd?.stop();
});

const progress: string[] = [];
const context = (): ExecutionContext => ({
  log: recordingLogger(),
  progress: async (line) => void progress.push(line),
  deadline: Date.now() + 20_000,
});
const run = (args: Record<string, unknown>, clientKey = () => sshd.clientKey) =>
  restartServiceExecutor(
    sshRemoteShell(async () => clientKey()),
    inventory,
    { checkIntervalMs: 100 },
  )(restartService.args.parse(args), context());

describe('restart_service over SSH', () => {
  it('restarts the unit, then confirms it is active', async () => {
    const before = sshd.calls().length;
    const outcome = await run({ host: 'web-01', unit: 'nginx' });
    expect(outcome).toMatchObject({ ok: true, summary: '已重启 nginx（web-01），服务运行中' });
    expect(sshd.calls().slice(before)).toEqual([
      ['restart', 'nginx'],
      ['is-active', 'nginx'],
    ]);
    expect(progress).toContain('正在 web-01 上重启 nginx');
  });

  it('waits for a unit that is still activating, and reports one that failed to start', async () => {
    sshd.setUnit('payments-api', { active: 'activating' });
    setTimeout(() => sshd.setUnit('payments-api', { active: 'active' }), 250);
    expect(await run({ host: 'web-01', unit: 'payments-api' })).toMatchObject({ ok: true });
    sshd.setUnit('payments-api', { active: 'failed' });
    const failed = await run({ host: 'web-01', unit: 'payments-api' });
    expect(failed).toMatchObject({ ok: false, summary: expect.stringContaining('未进入运行状态：failed') });
  });

  it('reports a failed restart with systemctl’s exit code and message', async () => {
    sshd.setUnit('nginx', { restartFails: true });
    const outcome = await run({ host: 'web-01', unit: 'nginx' });
    sshd.setUnit('nginx', { restartFails: false });
    expect(outcome).toMatchObject({ ok: false, summary: expect.stringContaining('退出码 1') });
    expect(outcome.output).toContain('Job for nginx.service failed.');
  });

  it('refuses a host whose key does not match the inventory, before running anything', async () => {
    const before = sshd.calls().length;
    await expect(run({ host: 'impostor-01', unit: 'nginx' })).rejects.toMatchObject({
      userMessage: 'impostor-01 出示的主机密钥与清单不符，已拒绝连接',
      message: expect.stringMatching(/host key mismatch: the inventory expects SHA256:A+, the host presented SHA256:/),
    });
    expect(sshd.calls().length).toBe(before);
  });

  it('refuses hosts and units the inventory does not list', async () => {
    await expect(run({ host: 'db-09', unit: 'nginx' })).rejects.toMatchObject({
      userMessage: '主机 db-09 不在清单中',
      message: 'host db-09 is not in the inventory',
    });
    await expect(run({ host: 'web-01', unit: 'sshd' })).rejects.toMatchObject({
      userMessage: expect.stringMatching(/^清单不允许在 web-01 上重启 sshd/),
    });
  });

  it('says in Chinese why a host could not be reached, and keeps the English detail for the log', async () => {
    await expect(run({ host: 'closed-01', unit: 'nginx' })).rejects.toMatchObject({
      userMessage: expect.stringMatching(/^无法连接 closed-01（127\.0\.0\.1:\d+）：连接被拒绝$/),
      message: expect.stringContaining('ECONNREFUSED'),
    });
    const stranger = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }).privateKey;
    await expect(run({ host: 'web-01', unit: 'nginx' }, () => stranger)).rejects.toMatchObject({
      userMessage: `无法连接 web-01（127.0.0.1:${sshd.port}）：认证失败（主机不接受私钥）`,
      message: expect.stringMatching(/authentication methods failed/),
    });
  });

  it('computes fingerprints exactly as ssh-keygen prints them', () => {
    const publicKey = readFileSync(join(sshd.dir, 'host_ed25519.pub'), 'utf8').split(' ')[1]!;
    expect(hostKeyFingerprint(Buffer.from(publicKey, 'base64'))).toBe(sshd.hostKeyFingerprint);
  });
});

describe('diagnose_host over SSH', () => {
  it('runs the fixed read-only checks on the inventory host and sums them up on one card', async () => {
    sshd.failedUnits(['payments-api.service loaded failed failed Payments API']);
    const before = sshd.calls().length;
    const outcome = await diagnoseHostExecutor(
      sshRemoteShell(async () => sshd.clientKey),
      inventory,
    )(diagnoseHost.args.parse({ host: 'web-01' }), context());
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatch(/^web-01：负载 [\d.]+，磁盘最满 \S+ \d+%，内存可用 \d+ MB，失败单元 1 个$/);
    for (const title of [
      '运行时间与负载',
      '磁盘',
      '内存（MB）',
      'CPU 最高的 5 个进程',
      '失败的 systemd 单元',
      '最近 20 条错误日志',
    ])
      expect(outcome.output).toContain(`== ${title}`);
    expect(outcome.output).toContain('payments-api.service');
    // The process list keeps its header and the top 5, whatever the host runs.
    const processes = outcome.output.split('== CPU 最高的 5 个进程 ==\n')[1]!.split('\n== ')[0]!.split('\n');
    expect(processes[0]).toMatch(/PID/);
    expect(processes.length).toBeLessThanOrEqual(6);
    // systemctl was asked only to list what failed: nothing was restarted, started or stopped.
    expect(sshd.calls().slice(before)).toEqual([['--failed', '--no-legend', '--plain', '--no-pager']]);
  });

  it('refuses a host that is not in the inventory before connecting anywhere', async () => {
    await expect(
      diagnoseHostExecutor(
        sshRemoteShell(async () => sshd.clientKey),
        inventory,
      )({ host: 'nowhere-01' }, context()),
    ).rejects.toThrow(/nowhere-01/);
  });
});
