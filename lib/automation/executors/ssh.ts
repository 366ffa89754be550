import { createHash } from 'node:crypto';
import { Client } from 'ssh2';
import { ExpectedError } from '../../lambda/errors.js';
import { connectionProblem } from '../executor.js';
import { commandLine, type CommandResult, type RemoteHost, type RemoteShell } from './remote-shell.js';

/** Output kept per stream: enough for the card's tail and the digest, bounded whatever the remote prints. */
const MAX_OUTPUT_BYTES = 256 * 1024;

/** OpenSSH's fingerprint of a host key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Why ssh2 could not connect, as people are told: its own failures by their level, the rest by their code. */
function sshProblem(error: Error & { level?: string }): string {
  if (error.level === 'client-authentication') return '认证失败（主机不接受私钥）';
  if (error.level === 'client-timeout') return '连接超时';
  return connectionProblem(error);
}

/**
 * The remote shell over SSH (ssh2): key authentication only, and the host must present exactly the key the
 * inventory names, or the connection is dropped before anything is sent. One connection per command.
 */
export function sshRemoteShell(privateKey: () => Promise<string>): RemoteShell {
  return {
    async run(host: RemoteHost, argv: string[], { timeoutMs }): Promise<CommandResult> {
      const command = commandLine(argv);
      const key = await privateKey();
      const expected = host.hostKey.replace(/=+$/, '');
      return new Promise<CommandResult>((resolve, reject) => {
        const client = new Client();
        let presented: string | undefined;
        let settled = false;
        const finish = (error: Error | undefined, result?: CommandResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          client.end();
          if (error) reject(error);
          else resolve(result!);
        };
        const seconds = Math.round(timeoutMs / 1000);
        const timer = setTimeout(
          () =>
            finish(
              new ExpectedError(`${host.name}：${seconds} 秒内没有结果`, `${host.name}: no result within ${seconds} s`),
            ),
          timeoutMs,
        );
        client
          .on('ready', () => {
            client.exec(command, (error, stream) => {
              if (error)
                return finish(
                  new ExpectedError(
                    `${host.name}：无法执行命令`,
                    `${host.name}: could not run the command: ${error.message}`,
                  ),
                );
              const out: Buffer[] = [];
              const err: Buffer[] = [];
              let outBytes = 0;
              let errBytes = 0;
              stream.on('data', (chunk: Buffer) => {
                if (outBytes < MAX_OUTPUT_BYTES) out.push(chunk);
                outBytes += chunk.length;
              });
              stream.stderr.on('data', (chunk: Buffer) => {
                if (errBytes < MAX_OUTPUT_BYTES) err.push(chunk);
                errBytes += chunk.length;
              });
              stream.on('close', (code: number | null, signal?: string) =>
                finish(undefined, {
                  exitCode: code ?? (signal ? 128 : -1),
                  stdout: Buffer.concat(out).toString('utf8'),
                  stderr: Buffer.concat(err).toString('utf8'),
                }),
              );
            });
          })
          .on('error', (error) => {
            const where = `${host.name} (${host.address}:${host.port})`;
            finish(
              presented && presented !== expected
                ? new ExpectedError(
                    `${host.name} 出示的主机密钥与清单不符，已拒绝连接`,
                    `${where}: host key mismatch: the inventory expects ${expected}, the host presented ${presented}; ` +
                      'refusing to connect',
                  )
                : new ExpectedError(
                    `无法连接 ${host.name}（${host.address}:${host.port}）：${sshProblem(error)}`,
                    `${where}: ${error.message}`,
                  ),
            );
          })
          .connect({
            host: host.address,
            port: host.port,
            username: host.user,
            privateKey: key,
            readyTimeout: Math.min(timeoutMs, 10_000),
            // Only key authentication: never a password prompt, never an agent.
            authHandler: ['publickey'],
            hostVerifier: (keyBlob: Buffer) => {
              presented = hostKeyFingerprint(keyBlob);
              return presented === expected;
            },
          });
      });
    },
  };
}
