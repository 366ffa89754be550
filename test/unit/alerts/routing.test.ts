import { describe, expect, it } from 'vitest';
import { parseMatcher } from '../../../lib/alerts/matchers.js';
import type { Team } from '../../../lib/alerts/oncall.js';
import { channelsBySeverity, planRoute, type Route } from '../../../lib/alerts/routing.js';
import { makeAlert } from '../fakes/alerts.js';

const now = Date.parse('2026-03-02T03:00:00Z');
const DAY = 86_400_000;

const teams = new Map<string, Team>([
  [
    'sre',
    {
      name: 'sre',
      rotation: {
        members: [{ name: '张伟', openId: 'ou_sre_zhang' }],
        handoffAt: now - DAY,
        shiftMs: 7 * DAY,
        overrides: [],
      },
    },
  ],
  [
    'payments',
    {
      name: 'payments',
      rotation: {
        members: [{ name: '陈静', openId: 'ou_pay_chen' }],
        handoffAt: now - DAY,
        shiftMs: DAY,
        overrides: [],
      },
    },
  ],
  ['empty', { name: 'empty', rotation: { members: [], handoffAt: now, shiftMs: DAY, overrides: [] } }],
]);

const route = (name: string, fields: Partial<Route> = {}): Route => ({
  name,
  matchers: [],
  chats: [],
  users: [],
  continue: false,
  ...fields,
});

describe('planRoute', () => {
  it('takes the first matching route and stops there', () => {
    const routes = [
      route('payments', { services: ['payments'], chats: ['oc_pay'] }),
      route('api', { services: ['api'], chats: ['oc_api'] }),
      route('default', { chats: ['oc_ops'] }),
    ];
    const plan = planRoute(makeAlert({ service: 'api' }), routes, teams, now);
    expect(plan.routes).toEqual(['api']);
    expect(plan.targets).toEqual([{ kind: 'chat', id: 'oc_api' }]);
  });

  it('keeps looking after a route that says continue, until a route that does not', () => {
    const routes = [
      route('audit', { chats: ['oc_audit'], continue: true }),
      route('api', { services: ['api'], chats: ['oc_api'] }),
      route('default', { chats: ['oc_ops'] }),
    ];
    const plan = planRoute(makeAlert({ service: 'api' }), routes, teams, now);
    expect(plan.routes).toEqual(['audit', 'api']);
    expect(plan.targets).toEqual([
      { kind: 'chat', id: 'oc_audit' },
      { kind: 'chat', id: 'oc_api' },
    ]);
  });

  it('matches on severity', () => {
    const routes = [
      route('critical', { severities: ['critical'], chats: ['oc_crit'] }),
      route('default', { chats: ['oc_ops'] }),
    ];
    expect(planRoute(makeAlert({ severity: 'critical' }), routes, teams, now).routes).toEqual(['critical']);
    expect(planRoute(makeAlert({ severity: 'warning' }), routes, teams, now).routes).toEqual(['default']);
  });

  it('matches on label matchers, which also see the normalised severity and service', () => {
    const routes = [
      route('prod-db', {
        matchers: [parseMatcher('service=~"mysql|postgres"'), parseMatcher('env=prod')],
        chats: ['oc_dba'],
      }),
      route('sev', { matchers: [parseMatcher('severity=info')], chats: ['oc_info'] }),
      route('default', { chats: ['oc_ops'] }),
    ];
    const db = makeAlert({ service: 'mysql', labels: { alertname: 'Lag', env: 'prod' } });
    expect(planRoute(db, routes, teams, now).routes).toEqual(['prod-db']);
    expect(planRoute({ ...db, labels: { alertname: 'Lag', env: 'dev' } }, routes, teams, now).routes).toEqual([
      'default',
    ]);
    // the label says warning, the normalised severity says info: the normalised one counts
    const info = makeAlert({ severity: 'info', labels: { alertname: 'X', severity: 'warning' } });
    expect(planRoute(info, routes, teams, now).routes).toEqual(['sev']);
  });

  it('has no routes and no targets when nothing matches', () => {
    const plan = planRoute(
      makeAlert({ service: 'api' }),
      [route('payments', { services: ['payments'], chats: ['oc_pay'] })],
      teams,
      now,
    );
    expect(plan).toMatchObject({ routes: [], targets: [] });
    expect(plan.onCall).toBeUndefined();
  });

  it('names the on-call person of the route team, who gets no card directly unless paged', () => {
    const plan = planRoute(makeAlert(), [route('default', { chats: ['oc_ops'], team: 'sre' })], teams, now);
    expect(plan.onCall).toEqual({ name: '张伟', openId: 'ou_sre_zhang' });
    expect(plan.targets).toEqual([{ kind: 'chat', id: 'oc_ops' }]);
  });

  it('pages the on-call person of the first matched route that has one', () => {
    const routes = [
      route('nobody', { team: 'empty', continue: true }),
      route('payments', { team: 'payments', continue: true }),
      route('default', { team: 'sre' }),
    ];
    const plan = planRoute(makeAlert(), routes, teams, now);
    expect(plan.onCall?.openId).toBe('ou_pay_chen');
    expect(plan.team).toBe('payments');
    expect(plan.targets).toEqual([]);
  });

  it('sends to each chat and user once, however many routes name them', () => {
    const routes = [
      route('a', { chats: ['oc_ops'], users: ['ou_sre_zhang'], team: 'sre', continue: true }),
      route('b', { chats: ['oc_ops', 'oc_dba'], users: ['ou_sre_zhang'], team: 'sre' }),
    ];
    const plan = planRoute(makeAlert(), routes, teams, now);
    expect(plan.targets).toEqual([
      { kind: 'chat', id: 'oc_ops' },
      { kind: 'user', id: 'ou_sre_zhang' },
      { kind: 'chat', id: 'oc_dba' },
    ]);
  });

  it('ignores a team it does not know', () => {
    const plan = planRoute(makeAlert(), [route('default', { chats: ['oc_ops'], team: 'ghost' })], teams, now);
    expect(plan.onCall).toBeUndefined();
    expect(plan.targets).toEqual([{ kind: 'chat', id: 'oc_ops' }]);
  });

  it('gives critical and warning alerts a card and stores info only; who is paged is the escalation policy’s', () => {
    const routes = [route('default', { chats: ['oc_ops'] })];
    expect(planRoute(makeAlert({ severity: 'critical' }), routes, teams, now).channels).toEqual(['card']);
    expect(planRoute(makeAlert({ severity: 'warning' }), routes, teams, now).channels).toEqual(['card']);
    expect(planRoute(makeAlert({ severity: 'info' }), routes, teams, now).channels).toEqual([]);
    expect(channelsBySeverity.info).toEqual([]);
  });
});
