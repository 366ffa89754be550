import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLogs, k8sSetImage, restartService } from '../../../lib/automation/actions.js';
import { loadAutomationConfig } from '../../../lib/automation/config.js';
import { authorise, rolesOf } from '../../../lib/automation/permissions.js';

const { automation, inventory } = loadAutomationConfig(fileURLToPath(new URL('../../../config', import.meta.url)));

describe('permissions (RBAC from config/automation.yaml)', () => {
  it('a person holds their own roles and their groups’', () => {
    expect(rolesOf('ou_sre_zhangwei', automation).sort()).toEqual(['admin', 'responder']);
    expect(rolesOf('ou_pay_chenjing', automation).sort()).toEqual(['deployer', 'observer']);
    expect(rolesOf('ou_stranger', automation)).toEqual([]);
  });

  it('allows within a role’s actions and environments; state changes in prod need approval, reads do not', () => {
    expect(authorise('ou_sre_lina', restartService, 'prod', automation)).toEqual({
      allowed: true,
      roles: ['responder'],
      needsApproval: true,
    });
    expect(authorise('ou_sre_lina', restartService, 'staging', automation)).toMatchObject({
      allowed: true,
      needsApproval: false,
    });
    expect(authorise('ou_pay_liuyang', checkLogs, 'prod', automation)).toMatchObject({
      allowed: true,
      needsApproval: false,
    });
  });

  it('denies with the reason and the roles that would allow it', () => {
    const denied = authorise('ou_pay_liuyang', restartService, 'prod', automation);
    expect(denied).toEqual({
      allowed: false,
      reason: expect.stringMatching(
        /没有在 prod 执行 restart_service 的权限（你的角色：observer、deployer；需要角色：responder 或 admin）/,
      ),
    });
    expect(authorise('ou_sre_lina', k8sSetImage, 'prod', automation)).toMatchObject({ allowed: false });
    expect(authorise('ou_stranger', checkLogs, 'dev', automation)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('你的角色：无'),
    });
    expect(authorise('ou_sre_zhangwei', checkLogs, 'moon', automation)).toEqual({
      allowed: false,
      reason: '环境 moon 未在配置中定义',
    });
  });

  it('the shipped inventory is valid and every entry is in a known environment', () => {
    expect(Object.keys(inventory.hosts)).toContain('web-01');
    expect(inventory.hosts['web-01']).toMatchObject({ port: 22, environment: 'prod' });
  });
});

describe('automation config', () => {
  it('names the file and path of an unknown role, an unknown environment and a malformed host key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-automation-'));
    writeFileSync(
      join(dir, 'automation.yaml'),
      'environments: [prod]\nroles:\n  ops: { actions: [restart_service], environments: [prod] }\nusers:\n  ou_a: [root]\n',
    );
    writeFileSync(
      join(dir, 'inventory.yaml'),
      'hosts:\n  web-01: { address: 10.0.0.1, user: ops, environment: staging, hostKey: SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ }\n',
    );
    expect(() => loadAutomationConfig(dir)).toThrow(
      /inventory.yaml is invalid:\n  hosts.web-01.environment: "staging" is not one of automation.yaml's environments[\s\S]*users.ou_a.0: role "root" is not defined/,
    );
    writeFileSync(
      join(dir, 'inventory.yaml'),
      'hosts:\n  web-01: { address: 10.0.0.1, user: ops, environment: prod, hostKey: md5:aa }\n',
    );
    expect(() => loadAutomationConfig(dir)).toThrow(/hosts.web-01.hostKey: a host key fingerprint/);
  });
});
