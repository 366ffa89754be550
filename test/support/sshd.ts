import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/peers.js';
import { debianPeer } from './debian-peers.js';

/**
 * A real OpenSSH server on a loopback port, with its own host key, one authorised client key, and a `systemctl`
 * stand-in first on the session's PATH that records each call and answers `is-active` from a state file.
 */
export class TestSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'openclaw-sshd-'));
  port = 0;
  hostKeyFingerprint = '';
  clientKey = '';
  readonly user = userInfo().username;
  private process?: ChildProcess;

  /** What the stand-in `systemctl` was called with, one call per entry. */
  calls(): string[][] {
    const file = join(this.dir, 'calls.log');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split('\u001f'))
      : [];
  }

  /** The units `systemctl --failed` lists, one line each as systemd prints them with --plain --no-legend. */
  failedUnits(lines: string[]): void {
    writeFileSync(join(this.dir, 'failed-units'), lines.map((line) => `${line}\n`).join(''));
  }

  /** The state `systemctl is-active <unit>` reports, and whether `restart` fails. */
  setUnit(unit: string, state: { active?: string; restartFails?: boolean }) {
    if (state.active !== undefined) writeFileSync(join(this.dir, `state.${unit}`), `${state.active}\n`);
    if (state.restartFails !== undefined) writeFileSync(join(this.dir, `fail.${unit}`), state.restartFails ? '1' : '');
  }

  async start(): Promise<this> {
    const [sshd, sshKeygen] = [debianPeer('/usr/sbin/sshd'), debianPeer('ssh-keygen')];
    mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
    const keygen = (file: string) =>
      execFileSync(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'openclaw-test', '-f', file]);
    keygen(join(this.dir, 'host_ed25519'));
    keygen(join(this.dir, 'client_ed25519'));
    this.clientKey = readFileSync(join(this.dir, 'client_ed25519'), 'utf8');
    this.hostKeyFingerprint = execFileSync(sshKeygen, ['-l', '-f', join(this.dir, 'host_ed25519.pub')], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(join(this.dir, 'client_ed25519.pub')));
    chmodSync(join(this.dir, 'authorized_keys'), 0o600);
    const bin = join(this.dir, 'bin');
    mkdirSync(bin);
    // Records its arguments (unit-separator joined) and answers like systemctl for the commands used.
    writeFileSync(
      join(bin, 'systemctl'),
      `#!/bin/sh
dir='${this.dir}'
( IFS="$(printf '\\037')"; printf '%s\\n' "$*" ) >> "$dir/calls.log"
case "$1" in
  restart) [ -s "$dir/fail.$2" ] && { echo "Job for $2.service failed." >&2; exit 1; }; exit 0 ;;
  is-active) if [ -f "$dir/state.$2" ]; then s=$(cat "$dir/state.$2"); else s=active; fi; echo "$s"; [ "$s" = active ] ;;
  --failed) [ -f "$dir/failed-units" ] && cat "$dir/failed-units"; exit 0 ;;
  *) echo "unsupported: $*" >&2; exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
    this.port = await freePort();
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_ed25519')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'UsePAM no',
        `SetEnv PATH=${bin}:/usr/bin:/bin`,
      ].join('\n') + '\n',
    );
    this.process = spawn(sshd, ['-D', '-e', '-f', join(this.dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    this.process.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await this.listening())) {
      if (this.process.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this;
  }

  private listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  }

  async stop(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process!.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
