import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, writeSync } from 'node:fs';
import { projectRoot } from '../../infra/local/runtime.js';
import { waitFor } from './wait.js';

/**
 * `npm start`'s entry point as a process of its own, the way a new user runs it, so that it can be killed with
 * kill -9 and started again on the same data. `env` is its environment over ours (PORT, LOCAL_DATA_DIR, CONFIG_DIR…).
 */
export class RuntimeProcess {
  private child?: ChildProcess;
  private stderr = '';

  /** `logFile`, when given, gets everything it prints (its lines of Feishu calls, and its logs at `LOG_LEVEL`). */
  constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
    private readonly logFile?: string,
  ) {}

  /** Starts it and waits until it answers HTTP. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', this.logFile ? openSync(this.logFile, 'a') : 'ignore', 'pipe'],
    });
    this.child = child;
    const log = this.logFile ? openSync(this.logFile, 'a') : undefined;
    child.stderr?.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
      if (log !== undefined) writeSync(log, chunk);
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited: ${this.stderr}`);
        return fetch(`${this.url}/_local/outbox`).then(
          (response) => response.ok,
          () => false,
        );
      },
      'npm start to listen',
      { timeoutMs: 60_000, describe: () => this.stderr },
    );
  }

  /** Sends `signal` and waits until the process is gone: SIGKILL for a crash, SIGTERM for a clean stop. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** The last lines it wrote to stderr, for failure messages. */
  get log(): string {
    return this.stderr;
  }
}
