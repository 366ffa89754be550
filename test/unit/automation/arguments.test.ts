import { describe, expect, it } from 'vitest';
import { actions, validateRequest } from '../../../lib/automation/actions.js';
import {
  checkName,
  dnsLabel,
  dnsSubdomain,
  hostName,
  imageReference,
  lookBack,
  unitName,
} from '../../../lib/automation/arguments.js';

/** Things people (or an alert's labels) might smuggle into an argument. None may pass any schema. */
const injections = [
  'nginx; rm -rf /',
  'nginx && reboot',
  'nginx || true',
  'nginx | tee /etc/passwd',
  '$(reboot)',
  'nginx$(id)',
  '`id`',
  'nginx`id`',
  'nginx\nreboot',
  'nginx\r\nreboot',
  'nginx\treboot',
  '../../etc/passwd',
  'a/../b',
  '..',
  '-rf',
  '--help',
  'nginx >/dev/sda',
  'nginx</etc/shadow',
  "nginx'",
  'nginx"',
  'nginx\\',
  'nginx #',
  'nginx*',
  'nginx?',
  '~root',
  '${IFS}',
  'nginx\u0000',
  'ｎｇｉｎｘ',
  ' nginx',
  'nginx ',
  '',
];

const fields = { unitName, hostName, dnsLabel, dnsSubdomain, imageReference, lookBack, checkName };

describe('argument schemas refuse injection attempts', () => {
  for (const [field, schema] of Object.entries(fields)) {
    it(`${field} refuses every entry of the corpus`, () => {
      const accepted = injections.filter((value) => schema.safeParse(value).success);
      expect(accepted).toEqual([]);
    });
  }

  it('every action refuses the corpus in every string argument, and unknown arguments', () => {
    const valid: Record<string, Record<string, unknown>> = {
      restart_service: { host: 'web-01', unit: 'nginx' },
      k8s_rollout_restart: { cluster: 'prod', namespace: 'payments', deployment: 'api' },
      k8s_set_image: {
        cluster: 'prod',
        namespace: 'payments',
        deployment: 'api',
        container: 'api',
        image: 'registry.example.com/payments/api:1.4.2',
      },
      check_logs: { service: 'payments', since: '15m', limit: 20 },
      http_check: { check: 'payments-health' },
      diagnose_host: { host: 'web-01' },
    };
    for (const action of actions) {
      const base = valid[action.name]!;
      expect(validateRequest(action.name, base)).toMatchObject({ ok: true });
      for (const [key, value] of Object.entries(base)) {
        if (typeof value !== 'string') continue;
        for (const injection of injections) {
          const result = validateRequest(action.name, { ...base, [key]: injection });
          expect(result.ok, `${action.name}.${key} = ${JSON.stringify(injection)}`).toBe(false);
        }
      }
      expect(validateRequest(action.name, { ...base, command: 'reboot' })).toMatchObject({ ok: false });
    }
  });
});

describe('argument schemas accept what operators really type', () => {
  it.each([
    [unitName, ['nginx', 'api@2.service', 'node_exporter', 'php8.2-fpm']],
    [hostName, ['web-01', 'db-1.prod.internal']],
    [
      imageReference,
      [
        'nginx:1.27',
        'registry.example.com:5000/team/app:v1.4.2',
        'ghcr.io/org/app@sha256:' + 'a'.repeat(64),
        'localhost:5000/app:latest',
      ],
    ],
    [lookBack, ['15m', '2h', '24h']],
  ])('%#', (schema, values) => {
    for (const value of values) expect(schema.safeParse(value).success, value).toBe(true);
  });

  it('refuses an image without a tag or digest, and look-backs over a day', () => {
    expect(imageReference.safeParse('registry.example.com:5000/team/app').success).toBe(false);
    expect(imageReference.safeParse('nginx').success).toBe(false);
    expect(lookBack.safeParse('25h').success).toBe(false);
  });

  it('names an unknown action and every bad argument', () => {
    expect(validateRequest('rm_rf', {})).toEqual({ ok: false, problem: '没有名为 rm_rf 的操作' });
    const result = validateRequest('restart_service', { host: 'WEB 01', unit: '' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/host：.*；unit：/);
  });
});
