import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../../lib/alerts/repository.js';
import { answerDetailLink, type DetailDeps } from '../../../lib/incidents/detail.js';
import { detailLinker, refuseLink } from '../../../lib/incidents/detail-link.js';
import { pageHeaders } from '../../../lib/incidents/detail-page.js';
import { MemoryAlertRepository } from '../fakes/alert-repository.js';
import { MemoryIncidentRepository } from '../fakes/incident-repository.js';
import { makeIncident, makeMember } from '../fakes/incidents.js';
import { recordingLogger } from '../fakes/logger.js';

const KEY = 'k'.repeat(40);
const NOW = Date.parse('2026-12-02T06:00:00.000Z');
const links = { key: KEY, baseUrl: 'https://ops.example.com/', ttlMs: 3600_000 };
const sign = (kind: 'incidents' | 'alerts', id: string, at = NOW) => detailLinker(links, () => at)(kind, id);
/** A link's parts, as the page function's route hands them over. */
const parts = (url: string) => {
  const parsed = new URL(url);
  const [, kind, id] = parsed.pathname.split('/') as [string, 'incidents' | 'alerts', string];
  return {
    kind,
    id,
    exp: parsed.searchParams.get('exp') ?? undefined,
    sig: parsed.searchParams.get('sig') ?? undefined,
  };
};

describe('detail links', () => {
  it('open their own page until they expire, and say why not otherwise', () => {
    const url = sign('incidents', '9c2e4b1a7d3f');
    expect(url).toMatch(/^https:\/\/ops\.example\.com\/incidents\/9c2e4b1a7d3f\?exp=\d+&sig=[\w-]{43}$/);
    const link = parts(url);
    expect(refuseLink(KEY, link, NOW)).toBeUndefined();
    expect(refuseLink(KEY, link, NOW + 3600_000)).toBe('expired');
    expect(refuseLink(KEY, { ...link, id: '9c2e4b1a7d3e' }, NOW)).toBe('forged');
    expect(refuseLink(KEY, { ...link, kind: 'alerts' }, NOW)).toBe('forged');
    expect(refuseLink(KEY, { ...link, exp: String(Number(link.exp) + 86_400) }, NOW)).toBe('forged');
    expect(refuseLink('x'.repeat(40), link, NOW)).toBe('forged');
    expect(refuseLink(KEY, { ...link, sig: undefined }, NOW)).toBe('unsigned');
    expect(refuseLink(KEY, { ...link, exp: undefined }, NOW)).toBe('unsigned');
    expect(refuseLink(KEY, { ...link, exp: '1e99' }, NOW)).toBe('forged');
  });
});

function setup(withLinks = true) {
  const incidents = new MemoryIncidentRepository();
  const alerts = new MemoryAlertRepository();
  const member = makeMember('CheckoutDown', 'critical', {
    summary: '<script>alert(1)</script>',
    labels: { host: 'web-1' },
  });
  const incident = makeIncident(
    {
      title: 'CheckoutDown <img src=x>',
      timeline: [
        { at: '2026-12-02T05:00:00.000Z', event: 'opened', detail: 'CheckoutDown' },
        { at: '2026-12-02T05:01:00.000Z', event: 'acknowledged', detail: '确认人：ou_zhang', actor: 'ou_zhang' },
        { at: '2026-12-02T05:02:00.000Z', event: 'self_heal', detail: '已提交 restart_service', ref: 'req1' },
      ],
    },
    [member],
  );
  incidents.incidents.set(incident.incidentId, incident);
  alerts.alerts.set(member.alertId, { alertId: member.alertId, incidentId: incident.incidentId } as StoredAlert);
  const asked: string[][] = [];
  const deps: DetailDeps = {
    incidents,
    alerts,
    actions: async (ids) => {
      asked.push(ids);
      return [
        {
          requestId: 'req1',
          title: '重启服务 unit=nginx host=web-1',
          status: '成功',
          requester: '自愈规则 nginx',
          requestedAt: '2026-12-02T05:02:00.000Z',
          outputTail: 'nginx restarted </pre><b>ok</b>',
        },
      ];
    },
    knowledge: async () => [{ title: 'Nginx 502', section: '处理', excerpt: '重启 <nginx>', source: 'javascript:x' }],
    links: withLinks ? links : undefined,
    names: new Map([['ou_zhang', '张伟']]),
    timeZone: 'Asia/Shanghai',
    now: () => NOW,
    log: recordingLogger(),
  };
  return { deps, incident, member, asked };
}

const render = async (answer: Awaited<ReturnType<typeof answerDetailLink>>) => {
  if (answer.status === 302) throw new Error('a redirect');
  return answer.render('n0nce');
};

describe('the detail page', () => {
  it('shows the incident, its members, timeline, actions and knowledge, with everything from outside escaped', async () => {
    const { deps, incident, asked } = setup();
    const answer = await answerDetailLink(parts(sign('incidents', incident.incidentId)), deps);
    expect(answer.status).toBe(200);
    const html = await render(answer);
    expect(html).toContain('CheckoutDown &lt;img src=x&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('host=web-1');
    expect(html).toContain('确认人：张伟');
    expect(html).toContain('nginx restarted &lt;/pre&gt;&lt;b&gt;ok&lt;/b&gt;');
    expect(html).toContain('重启 &lt;nginx&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('<style nonce="n0nce">');
    expect(asked).toEqual([['req1']]);
  });

  it('answers a forged, unsigned or expired link with 403 and nothing about the incident', async () => {
    const { deps, incident } = setup();
    const good = parts(sign('incidents', incident.incidentId));
    const old = parts(sign('incidents', incident.incidentId, NOW - 2 * 3600_000));
    for (const link of [{ ...good, sig: `${good.sig!.slice(0, -1)}A` }, { ...good, sig: undefined }, old]) {
      const answer = await answerDetailLink(link, deps);
      expect(answer.status).toBe(403);
      const html = await render(answer);
      expect(html).not.toContain('CheckoutDown');
      expect(html).not.toContain(incident.incidentId);
    }
  });

  it("leads from an alert's link to its incident's, expiring when the alert's would", async () => {
    const { deps, incident, member } = setup();
    const alertLink = parts(sign('alerts', member.alertId, NOW - 600_000));
    const answer = await answerDetailLink(alertLink, deps);
    expect(answer).toEqual({ status: 302, location: expect.stringContaining(`/incidents/${incident.incidentId}?`) });
    const next = parts((answer as { location: string }).location);
    expect(next.exp).toBe(alertLink.exp);
    expect((await answerDetailLink(next, deps)).status).toBe(200);
    expect((await answerDetailLink(parts(sign('alerts', 'ffffffffffff')), deps)).status).toBe(404);
  });

  it('says it is not configured (503) when there is no link key', async () => {
    const { deps, incident } = setup(false);
    expect((await answerDetailLink(parts(sign('incidents', incident.incidentId)), deps)).status).toBe(503);
  });

  it('runs no script and loads nothing from anywhere, under a nonce for its one style block', () => {
    const csp = pageHeaders('abc')['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'nonce-abc'");
    expect(csp).not.toMatch(/script-src|unsafe/);
  });
});
