import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLogs, k8sSetImage, restartService } from '../../../lib/automation/actions.js';
import { incidentRules, loadAutomationConfig } from '../../../lib/automation/config.js';
import { authorise, holdersOf, rolesOf } from '../../../lib/automation/permissions.js';
import type { Team } from '../../../lib/alerts/oncall.js';
import { broadSilencePermit, incidentPermits, permitFor, refusal } from '../../../lib/incidents/permissions.js';

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

describe('who may act on incidents and on-call (automation.yaml `incidents`, defaults)', () => {
  const rules = { ...incidentRules(automation), holders: (role: string) => holdersOf(role, automation) };
  const team = (name: string, ...openIds: string[]): Team => ({
    name,
    rotation: { members: openIds.map((openId) => ({ name: openId, openId })), handoffAt: 0, shiftMs: 1, overrides: [] },
  });

  it('lets the route team and responders act on an incident; observers may only escalate; strangers nothing', () => {
    const permits = incidentPermits([team('payments', 'ou_pay_chenjing', 'ou_pay_liuyang')], rules);
    expect(permits.ack.people).toEqual(
      ['ou_pay_chenjing', 'ou_pay_liuyang', 'ou_sre_lina', 'ou_sre_wangqiang', 'ou_sre_zhangwei'].sort(),
    );
    expect(permits.ack.who).toBe('需要：值班团队 payments 的成员，或角色 responder，或角色 admin');
    expect(refusal(permits.resolve, { openId: 'ou_stranger' }, 'resolve')).toBe(
      '你没有权限解决（需要：值班团队 payments 的成员，或角色 responder，或角色 admin）',
    );
    expect(refusal(permits.escalate, { openId: 'ou_pay_chenjing' }, 'escalate')).toBeUndefined();
    expect(
      refusal(permitFor('override', [team('sre', 'ou_sre_lina')], rules), { openId: 'ou_pay_liuyang' }, 'override'),
    ).toMatch(/你没有权限设置临时值班/);
  });

  it('broad silences need an admin: over 24 h or more than 20 matching alerts by default', () => {
    expect(rules.broadSilence).toMatchObject({ longerThanSeconds: 86_400, matchingMoreThan: 20 });
    expect(broadSilencePermit(rules).people).toEqual(['ou_sre_zhangwei']);
  });
});

describe('automation config', () => {
  it('names the path of an unknown role in incidents; defaults leave out roles the file does not define', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-automation-'));
    writeFileSync(join(dir, 'inventory.yaml'), 'hosts: {}\n');
    writeFileSync(
      join(dir, 'automation.yaml'),
      'environments: [prod]\nroles:\n  ops: { actions: [restart_service], environments: [prod] }\n' +
        'incidents:\n  ack: [team, oncallers]\n',
    );
    expect(() => loadAutomationConfig(dir)).toThrow(
      /automation.yaml is invalid:\n  incidents.ack.1: role "oncallers" is not defined \(or use team\)/,
    );
    writeFileSync(
      join(dir, 'automation.yaml'),
      'environments: [prod]\nroles:\n  ops: { actions: [restart_service], environments: [prod] }\n',
    );
    expect(incidentRules(loadAutomationConfig(dir).automation).allowed.resolve).toEqual(['team']);
  });

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
