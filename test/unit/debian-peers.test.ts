import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '../../infra/local/runtime.js';
import { APT_INSTALL, debianPeer } from '../support/debian-peers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The packages an `apt-get install` line names (its options left out). */
const packagesOf = (command: string) =>
  command
    .slice(command.lastIndexOf('apt-get install') + 'apt-get install'.length)
    .split(/\s+/)
    .filter((word) => word && !word.startsWith('-'))
    .sort();

describe('the Debian programs the tests run', () => {
  it('are found on PATH; a missing one fails naming its package and the apt-get command that installs it', () => {
    const bin = mkdtempSync(join(tmpdir(), 'openclaw-path-'));
    writeFileSync(join(bin, 'amtool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'amtool'), 0o755);
    vi.stubEnv('PATH', bin);
    expect(debianPeer('amtool')).toBe(join(bin, 'amtool'));
    expect(() => debianPeer('prometheus-alertmanager')).toThrow(
      `prometheus-alertmanager is not installed (Debian package prometheus-alertmanager); the tests run it ` +
        `for real. Install what they need with:\n  ${APT_INSTALL}`,
    );
  });

  it('are installed by the command the README gives before npm test, and by .ci/run', () => {
    expect(readFileSync(join(projectRoot, 'README.md'), 'utf8')).toContain(APT_INSTALL);
    const ci = readFileSync(join(projectRoot, '.ci', 'run'), 'utf8');
    const ciInstall = /apt-get install [^\n>]*/.exec(ci)![0];
    expect(packagesOf(ciInstall)).toEqual(packagesOf(APT_INSTALL));
  });
});
