import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../../lib/alerts/config.js';
import { onCallAt } from '../../../lib/alerts/oncall.js';
import { planRoute } from '../../../lib/alerts/routing.js';
import { makeAlert } from '../fakes/alerts.js';

const realConfig = fileURLToPath(new URL('../../../config', import.meta.url));

const routingYaml = `
dedup:
  window: 5m
  bySeverity:
    critical: 2m
routes:
  - name: default
    chats: [oc_ops_alerts]
    users: [ou_lead]
    team: sre
`;

const oncallYaml = `
teams:
  sre:
    handoff: 2026-01-05T10:00:00+08:00
    shift: 1d
    members:
      - { name: 张伟, openId: ou_sre_zhangwei }
      - { name: 李娜, openId: ou_sre_lina }
    overrides:
      - { openId: ou_sre_lina, from: 2026-01-05T12:00:00+08:00, to: 2026-01-05T18:00:00+08:00 }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configDir(files: { routing?: string; oncall?: string; escalation?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-config-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'routing.yaml'), files.routing ?? routingYaml);
  writeFileSync(join(dir, 'oncall.yaml'), files.oncall ?? oncallYaml);
  if (files.escalation) writeFileSync(join(dir, 'escalation.yaml'), files.escalation);
  return dir;
}

function loadError(dir: string): string {
  try {
    loadAlertingConfig(dir);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadAlertingConfig', () => {
  it('loads the repository config/ directory', () => {
    const config = loadAlertingConfig(realConfig);
    expect(config.dedup).toEqual({ defaultSeconds: 300, bySeverity: { critical: 120 } });
    expect(config.routes.map((route) => route.name)).toEqual(['payments', 'database', 'default']);
    expect([...config.teams.keys()]).toEqual(['sre', 'payments']);
    const policy = config.policies.get('default')!;
    expect(policy.levels.map((level) => [level.name, level.afterMs / 60_000])).toEqual([
      ['L1', 0],
      ['L2', 5],
      ['L3', 15],
    ]);
    expect(policy.levels[2]!.targets).toEqual([
      { kind: 'person', person: { name: '张伟', openId: 'ou_sre_zhangwei' } },
    ]);
    expect(policy.repeat).toEqual({ times: 1, afterMs: 15 * 60_000 });
  });

  it('routes with the repository config as its comments describe', () => {
    const { routes, teams } = loadAlertingConfig(realConfig);
    const now = Date.parse('2026-01-12T10:00:00+08:00'); // one week after the sre handoff: second member
    const plan = (service: string) => planRoute(makeAlert({ service, labels: { alertname: 'X' } }), routes, teams, now);
    expect(plan('checkout').routes).toEqual(['payments']);
    expect(plan('postgres')).toMatchObject({ routes: ['database'], onCall: { name: '李娜' } });
    expect(plan('postgres-exporter').routes).toEqual(['default']);
    expect(plan('web')).toMatchObject({
      targets: [{ kind: 'chat', id: 'oc_ops_alerts' }],
      onCall: { openId: 'ou_sre_lina' },
    });
  });

  it('turns durations into seconds, handoffs into instants and overrides into people', () => {
    const config = loadAlertingConfig(configDir({}));
    expect(config.dedup).toEqual({ defaultSeconds: 300, bySeverity: { critical: 120 } });
    const sre = config.teams.get('sre')!;
    expect(sre.rotation.handoffAt).toBe(Date.parse('2026-01-05T02:00:00Z'));
    expect(sre.rotation.shiftMs).toBe(86_400_000);
    expect(onCallAt(sre, Date.parse('2026-01-05T13:00:00+08:00'))?.name).toBe('李娜');
    expect(config.routes[0]).toMatchObject({
      name: 'default',
      chats: ['oc_ops_alerts'],
      users: ['ou_lead'],
      team: 'sre',
      continue: false,
      matchers: [],
    });
  });

  it('uses a 5 minute window and a week-long shift when the files leave them out', () => {
    const config = loadAlertingConfig(
      configDir({
        routing: 'routes:\n  - name: all\n    chats: [oc_ops]\n',
        oncall: 'teams:\n  sre:\n    handoff: 2026-01-05T10:00:00+08:00\n    members: [{ name: A, openId: ou_a }]\n',
      }),
    );
    expect(config.dedup).toEqual({ defaultSeconds: 300, bySeverity: {} });
    expect(config.teams.get('sre')!.rotation.shiftMs).toBe(7 * 86_400_000);
  });

  it('loads inhibit rules and the reminder interval, defaulting to none and 1 h', () => {
    const config = loadAlertingConfig(
      configDir({
        routing: `${routingYaml}\nreminders: { every: 30m }\ninhibit:\n  - name: down\n    source: ['alertname=ServiceDown']\n    target: ['severity=warning']\n    equal: [service]\n`,
      }),
    );
    expect(config.reminderIntervalSeconds).toBe(1800);
    expect(config.inhibitRules).toHaveLength(1);
    expect(config.inhibitRules[0]).toMatchObject({
      name: 'down',
      equal: ['service'],
      source: [{ name: 'alertname', op: '=', value: 'ServiceDown' }],
    });
    const defaults = loadAlertingConfig(configDir({}));
    expect([defaults.inhibitRules, defaults.reminderIntervalSeconds]).toEqual([[], 3600]);
  });

  it('rejects an inhibit rule with a bad matcher or label name, naming the path', () => {
    const message = loadError(
      configDir({
        routing: `${routingYaml}\ninhibit:\n  - name: x\n    source: ['alertname=~"("']\n    target: ['severity=warning']\n    equal: ['not a label']\n`,
      }),
    );
    expect(message).toMatch(/inhibit\.0\.source\.0: .*invalid regular expression/);
    expect(message).toMatch(/inhibit\.0\.equal\.0: a label name/);
  });

  it('rejects a file that is not YAML, naming the file', () => {
    const dir = configDir({ routing: 'routes: [\n  - name: x\n' });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/routing.yaml`);
    expect(message).toMatch(/not valid YAML/);
  });

  it('rejects an unknown key, naming the file, the path and the key', () => {
    const dir = configDir({ routing: 'routes:\n  - name: x\n    chanels: [oc_ops]\n' });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/routing.yaml is invalid`);
    expect(message).toMatch(/routes\.0: .*chanels/);
  });

  it('rejects an unknown top-level key', () => {
    const message = loadError(configDir({ routing: `${routingYaml}\nreceivers: []\n` }));
    expect(message).toMatch(/\(top level\): .*receivers/);
  });

  it('rejects a user that is not a Feishu open_id, naming the path', () => {
    const dir = configDir({ routing: 'routes:\n  - name: x\n    users: [zhangwei@example.com]\n' });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/routing.yaml`);
    expect(message).toMatch(/routes\.0\.users\.0: a Feishu open_id/);
  });

  it('rejects a bad member open_id in oncall.yaml, naming that file', () => {
    const dir = configDir({ oncall: oncallYaml.replace('ou_sre_lina }', 'lina }') });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/oncall.yaml`);
    expect(message).toMatch(/teams\.sre\.members\.1\.openId: a Feishu open_id/);
  });

  it('rejects a route naming a team that oncall.yaml does not define', () => {
    const dir = configDir({ routing: 'routes:\n  - name: x\n    chats: [oc_ops]\n  - name: y\n    team: dba\n' });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/routing.yaml`);
    expect(message).toMatch(/routes\.1\.team: team "dba" is not defined in oncall\.yaml/);
  });

  it('rejects an override for someone who is not a member of the team', () => {
    const dir = configDir({ oncall: oncallYaml.replace('{ openId: ou_sre_lina, from', '{ openId: ou_stranger, from') });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/oncall.yaml`);
    expect(message).toMatch(/teams\.sre\.overrides\.0\.openId: ou_stranger is not a member of sre/);
  });

  it('rejects a bad duration, naming the path and the value', () => {
    const dir = configDir({ routing: routingYaml.replace('window: 5m', 'window: 5 minutes') });
    const message = loadError(dir);
    expect(message).toContain(`${dir}/routing.yaml`);
    expect(message).toMatch(/dedup\.window: "5 minutes" is not a duration/);
  });

  it('rejects a bad shift and a bad handoff time in oncall.yaml', () => {
    const dir = configDir({
      oncall: oncallYaml
        .replace('shift: 1d', 'shift: daily')
        .replace('handoff: 2026-01-05T10:00:00+08:00', 'handoff: monday'),
    });
    const message = loadError(dir);
    expect(message).toMatch(/teams\.sre\.shift: "daily" is not a duration/);
    expect(message).toMatch(/teams\.sre\.handoff: expected an ISO 8601 time/);
  });

  it('rejects an invalid label matcher, naming the route', () => {
    const dir = configDir({ routing: 'routes:\n  - name: x\n    match:\n      labels: [\'service=~"(mysql"\']\n' });
    expect(loadError(dir)).toMatch(/routes\.0\.match\.labels\.0: .*invalid regular expression/);
  });

  it('rejects a routing file without routes', () => {
    expect(loadError(configDir({ routing: 'routes: []\n' }))).toMatch(/routes: at least one route is needed/);
  });

  it('says which file is missing', () => {
    const dir = configDir({});
    rmSync(join(dir, 'oncall.yaml'));
    expect(loadError(dir)).toMatch(new RegExp(`config ${dir}/oncall\\.yaml: cannot be read \\(ENOENT\\)`));
  });
});

describe('escalation.yaml', () => {
  const routing = (escalation: string, team = 'sre') =>
    `routes:\n  - name: default\n    chats: [oc_ops]\n${team ? `    team: ${team}\n` : ''}    escalation: ${escalation}\n`;
  const policy = (levels: string, extra = '') => `policies:\n  p:\n    levels:\n${levels}${extra}`;
  const level = (body: string) => `      - ${body}\n`;

  it('loads policies: levels with their delays, people and channels, and the repeat', () => {
    const config = loadAlertingConfig(
      configDir({
        routing: routing('p'),
        escalation: policy(
          level('notify: [oncall]') +
            level('{ after: 5m, notify: [next_oncall, { user: ou_sre_zhangwei }], channels: [card, urgent_app] }') +
            level(
              '{ name: 经理, after: 15m, notify: [{ oncall: sre }, { user: ou_boss, name: 孙总 }], channels: [card] }',
            ),
          '    severities: [critical, warning]\n    repeat: { times: 2, after: 10m }\n',
        ),
      }),
    );
    const p = config.policies.get('p')!;
    expect(p.severities).toEqual(['critical', 'warning']);
    expect(p.levels).toEqual([
      {
        name: 'L1',
        afterMs: 0,
        targets: [{ kind: 'oncall' }],
        channels: ['card', 'urgent_app', 'urgent_sms', 'urgent_phone'],
      },
      {
        name: 'L2',
        afterMs: 300_000,
        targets: [{ kind: 'next_oncall' }, { kind: 'person', person: { name: '张伟', openId: 'ou_sre_zhangwei' } }],
        channels: ['card', 'urgent_app'],
      },
      {
        name: '经理',
        afterMs: 900_000,
        targets: [
          { kind: 'oncall', team: 'sre' },
          { kind: 'person', person: { name: '孙总', openId: 'ou_boss' } },
        ],
        channels: ['card'],
      },
    ]);
    expect(p.repeat).toEqual({ times: 2, afterMs: 600_000 });
    expect(config.routes[0]!.escalation).toBe('p');
  });

  it('is optional: without it there are no policies and routes use the built-in one', () => {
    expect(loadAlertingConfig(configDir({})).policies.size).toBe(0);
  });

  it('rejects what would page nobody or the wrong way, naming the file and the path', () => {
    const fails = (escalation: string, routingYaml = routing('p')) =>
      loadError(configDir({ routing: routingYaml, escalation }));
    expect(fails(policy(level('notify: [{ oncall: dba }]')))).toMatch(
      /escalation\.yaml is invalid:\n {2}policies\.p\.levels\.0\.notify\.0: team "dba" is not defined in oncall\.yaml/,
    );
    expect(fails(policy(level('notify: [{ user: ou_stranger }]')))).toMatch(
      /policies\.p\.levels\.0\.notify\.0\.name: ou_stranger is on no team; give their name/,
    );
    expect(fails(policy(level('{ notify: [oncall], channels: [urgent_phone] }')))).toMatch(
      /policies\.p\.levels\.0\.channels: 加急 \(urgent_\*\) needs card/,
    );
    expect(fails(policy(level('{ after: 5m, notify: [oncall] }') + level('{ after: 5m, notify: [oncall] }')))).toMatch(
      /policies\.p\.levels: each level must come later than the one before/,
    );
    expect(fails(policy(level('notify: [everyone]')))).toMatch(
      /policies\.p\.levels\.0\.notify\.0: expected oncall, next_oncall/,
    );
    expect(fails(policy(level('{ after: soon, notify: [oncall] }')))).toMatch(
      /levels\.0\.after: "soon" is not a duration/,
    );
    expect(fails(policy(level('notify: [oncall]')), routing('nope'))).toMatch(
      /routing\.yaml is invalid:\n {2}routes\.0\.escalation: policy "nope" is not defined \(p\)/,
    );
    expect(fails(policy(level('notify: [oncall]')), routing('p', ''))).toMatch(
      /routes\.0\.escalation: policy "p" pages the route's on-call; set team/,
    );
  });
});
