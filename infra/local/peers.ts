import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface Peer {
  name: string;
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Runs a DynamoDB- or SQS-compatible server as a child process, so it has a CPU core of its own and its logs stay
 * out of ours. It dies with us: on exit we stop it, and if we are killed it sees its parent change (orphan-guard.cjs).
 */
async function startChild(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<Peer> {
  const child = spawn(process.execPath, ['--require', join(root, 'infra/local/orphan-guard.cjs'), script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  try {
    await waitForPort(port, child, name);
  } catch (error) {
    kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    name,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        process.off('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        kill();
      }),
  };
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * dynalite: DynamoDB's wire protocol over LevelDB; `dataDir` keeps tables across restarts, none keeps them in memory.
 */
export async function startDynamo(options: { port?: number; dataDir?: string } = {}): Promise<Peer> {
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--createTableMs',
    '0',
    '--deleteTableMs',
    '0',
    '--updateTableMs',
    '0',
  ];
  if (options.dataDir) args.push('--path', options.dataDir);
  return startChild('dynalite', join(root, 'node_modules/dynalite/cli.js'), args, {}, port);
}

/**
 * fauxqs: SQS's JSON protocol, with visibility timeouts and redrive to dead-letter queues; `dataDir` keeps queues and
 * messages in SQLite across restarts (written before each request is answered), none keeps them in memory.
 */
export async function startSqs(options: { port?: number; dataDir?: string } = {}): Promise<Peer> {
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = { SQS_PORT: String(port) };
  if (options.dataDir) env.SQS_DATA_DIR = options.dataDir;
  return startChild('fauxqs', join(root, 'infra/local/sqs-server.mjs'), [], env, port);
}
