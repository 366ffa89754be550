import { ExpectedError } from '../../lambda/errors.js';

/** A host from the inventory as an executor needs it. */
export interface RemoteHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  hostKey: string;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one program with its arguments on a host. The SSH adapter is in ./ssh.ts; tests use a real sshd. */
export interface RemoteShell {
  run(host: RemoteHost, argv: string[], options: { timeoutMs: number }): Promise<CommandResult>;
}

/** Characters an argument may contain at all: no shell syntax, no whitespace, nothing that needs quoting. */
const SAFE_ARGUMENT = /^[A-Za-z0-9@%+=:,./_-]+$/;

/**
 * SSH carries one command line, which the remote side hands to the user's shell: there is no argv on the wire.
 * So every argument must already be plain (the action schemas guarantee it), is checked here again, and is then
 * single-quoted anyway. A value that is not plain is refused, never escaped into shape.
 */
export function commandLine(argv: string[]): string {
  if (!argv.length) throw new ExpectedError('没有要执行的命令', 'empty command');
  for (const arg of argv) {
    if (!SAFE_ARGUMENT.test(arg))
      throw new ExpectedError(
        `参数 ${JSON.stringify(arg)} 不是普通的单词，已拒绝发送`,
        `refusing to send argument ${JSON.stringify(arg)}: not a plain word`,
      );
  }
  return argv.map((arg) => `'${arg}'`).join(' ');
}
