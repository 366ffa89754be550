import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The one command that installs every program the tests run for real (the README says it, and .ci/run runs it). */
export const APT_INSTALL =
  'sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus-alertmanager openssh-server ' +
  'openssl chromium fonts-wqy-microhei';

/** The programs the tests run, and the Debian package each comes in. */
const packages = {
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  '/usr/sbin/sshd': 'openssh-server',
  'ssh-keygen': 'openssh-client (with openssh-server)',
  openssl: 'openssl',
  // Opens the detail page; fonts-wqy-microhei beside it gives its screenshots Chinese glyphs.
  '/usr/bin/chromium': 'chromium',
} as const;

/**
 * The path of a program a test runs, found as a shell would find it; if it is not there, an error that says which
 * package has it and the command that installs it, rather than a spawn's bare ENOENT.
 */
export function debianPeer(program: keyof typeof packages): string {
  const candidates = program.startsWith('/')
    ? [program]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, program));
  const found = candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (found) return found;
  throw new Error(
    `${program} is not installed (Debian package ${packages[program]}); the tests run it for real. ` +
      `Install what they need with:\n  ${APT_INSTALL}`,
  );
}
