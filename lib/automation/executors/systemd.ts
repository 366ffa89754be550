import { notInInventory, type Inventory } from '../config.js';
import { InventoryError, type Executor } from '../executor.js';
import type { RemoteShell } from './remote-shell.js';

const ACTIVE_CHECKS = 5;
const ACTIVE_CHECK_INTERVAL_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `restart_service`: `systemctl restart <unit>` on an inventory host, then `systemctl is-active <unit>` until it
 * reports `active` (a unit can take a few seconds to come up) or clearly is not.
 */
export function restartServiceExecutor(
  shell: RemoteShell,
  inventory: Inventory,
  options: { checkIntervalMs?: number } = {},
): Executor {
  return async (args, { progress, deadline }) => {
    const hostName = args.host as string;
    const unit = args.unit as string;
    const entry = inventory.hosts[hostName];
    if (!entry) throw notInInventory('host', hostName);
    if (entry.units && !entry.units.includes(unit))
      throw new InventoryError(
        `清单不允许在 ${hostName} 上重启 ${unit}（允许：${entry.units.join('、')}）`,
        `the inventory does not allow restarting ${unit} on ${hostName} (allowed: ${entry.units.join(', ')})`,
      );
    const host = { name: hostName, ...entry };
    const systemctl = (...rest: string[]) => [...(entry.sudo ? ['sudo', '-n'] : []), 'systemctl', ...rest];
    const remaining = () => Math.max(1_000, deadline - Date.now());
    const output: string[] = [];

    await progress(`正在 ${hostName} 上重启 ${unit}`);
    const restart = await shell.run(host, systemctl('restart', unit), { timeoutMs: remaining() });
    output.push(`$ systemctl restart ${unit}  → exit ${restart.exitCode}`, restart.stdout, restart.stderr);
    if (restart.exitCode !== 0) {
      return {
        ok: false,
        summary: `重启 ${unit}（${hostName}）失败：systemctl 退出码 ${restart.exitCode}`,
        output: output.filter(Boolean).join('\n'),
      };
    }
    let state = '';
    for (let check = 1; check <= ACTIVE_CHECKS; check++) {
      const status = await shell.run(host, systemctl('is-active', unit), { timeoutMs: remaining() });
      state = status.stdout.trim() || status.stderr.trim();
      output.push(`$ systemctl is-active ${unit}  → ${state}`);
      if (state === 'active')
        return {
          ok: true,
          summary: `已重启 ${unit}（${hostName}），服务运行中`,
          output: output.filter(Boolean).join('\n'),
        };
      if (state === 'failed' || Date.now() + (options.checkIntervalMs ?? ACTIVE_CHECK_INTERVAL_MS) > deadline) break;
      await progress(`${unit} 状态：${state}，等待启动（${check}/${ACTIVE_CHECKS}）`);
      await sleep(options.checkIntervalMs ?? ACTIVE_CHECK_INTERVAL_MS);
    }
    return {
      ok: false,
      summary: `已执行重启，但 ${unit}（${hostName}）未进入运行状态：${state || '未知'}`,
      output: output.filter(Boolean).join('\n'),
    };
  };
}
