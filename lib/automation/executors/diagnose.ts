import { notInInventory, type Inventory } from '../config.js';
import type { Executor } from '../executor.js';
import type { RemoteShell } from './remote-shell.js';

/**
 * The fixed, read-only look at a host: nothing here changes anything, and no argument comes from the request (the
 * host is the inventory's). Each check is its own command, without a pipe or a shell: the few lines kept are chosen
 * here, not by `head` on the host.
 */
const CHECKS: { title: string; argv: string[]; keep?: number }[] = [
  { title: '运行时间与负载', argv: ['uptime'] },
  { title: '磁盘', argv: ['df', '-h', '-x', 'tmpfs', '-x', 'devtmpfs', '-x', 'squashfs', '-x', 'overlay'] },
  { title: '内存（MB）', argv: ['free', '-m'] },
  { title: 'CPU 最高的 5 个进程', argv: ['ps', '-eo', 'pid,user,pcpu,pmem,comm', '--sort=-pcpu'], keep: 6 },
  { title: '失败的 systemd 单元', argv: ['systemctl', '--failed', '--no-legend', '--plain', '--no-pager'] },
  { title: '最近 20 条错误日志', argv: ['journalctl', '-p', 'err', '-n', '20', '--no-pager', '-o', 'short-iso'] },
];
/** A line of output as the card shows it: long journal lines are cut. */
const LINE_CHARS = 160;

/** What a person wants first: the load, the fullest disk, the memory left, and whether units failed. */
function summaryOf(host: string, outputs: Map<string, string>): string {
  const load = /load averages?:\s*([\d.]+)/.exec(outputs.get('运行时间与负载') ?? '')?.[1];
  const disks = (outputs.get('磁盘') ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 6 && /%$/.test(fields[4]!))
    .map((fields) => ({ use: Number.parseInt(fields[4]!, 10), mount: fields[5]! }))
    .sort((a, b) => b.use - a.use);
  const memory = (outputs.get('内存（MB）') ?? '').split('\n').find((line) => line.startsWith('Mem:'));
  const available = memory?.trim().split(/\s+/)[6];
  const failed = outputs.get('失败的 systemd 单元');
  const failedUnits = failed === undefined ? undefined : failed.split('\n').filter((line) => line.trim()).length;
  const parts = [
    load && `负载 ${load}`,
    disks[0] && `磁盘最满 ${disks[0].mount} ${disks[0].use}%`,
    available && `内存可用 ${available} MB`,
    failedUnits !== undefined && `失败单元 ${failedUnits} 个`,
  ].filter(Boolean);
  return `${host}：${parts.join('，') || '检查已完成'}`;
}

/**
 * `diagnose_host`: uptime and load, disks, memory, the top 5 processes by CPU, failed systemd units and the last 20
 * error lines of the journal, over SSH to an inventory host. A check that cannot run there (no systemd, no right to
 * read the journal) says so in its section and the others go on; the run fails only when the host cannot be reached.
 */
export function diagnoseHostExecutor(shell: RemoteShell, inventory: Inventory): Executor {
  return async (args, { progress, deadline }) => {
    const hostName = args.host as string;
    const entry = inventory.hosts[hostName];
    if (!entry) throw notInInventory('host', hostName);
    const host = { name: hostName, ...entry };
    const sections: string[] = [];
    const outputs = new Map<string, string>();
    for (const check of CHECKS) {
      await progress(`正在检查 ${hostName}：${check.title}`);
      const result = await shell.run(host, check.argv, { timeoutMs: Math.max(1_000, deadline - Date.now()) });
      const lines = (result.exitCode === 0 ? result.stdout : `${result.stdout}\n${result.stderr}`)
        .split('\n')
        .filter((line) => line.trim())
        .slice(0, check.keep)
        .map((line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line));
      if (result.exitCode === 0) outputs.set(check.title, lines.join('\n'));
      const status = result.exitCode === 0 ? '' : `（退出码 ${result.exitCode}）`;
      sections.push(`== ${check.title}${status} ==`, lines.length ? lines.join('\n') : '（无）');
    }
    return { ok: true, summary: summaryOf(hostName, outputs), output: sections.join('\n') };
  };
}
