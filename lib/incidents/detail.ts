import type { AlertRepository } from '../alerts/repository.js';
import type { Logger } from '../lambda/logger.js';
import { detailLinker, refuseLink, type DetailLinkKey, type LinkedKind, type LinkRefusal } from './detail-link.js';
import { incidentPage, noticePage, type ActionRun, type PageKnowledge } from './detail-page.js';
import type { StoredIncident } from './model.js';
import type { IncidentRepository } from './repository.js';

export interface DetailDeps {
  incidents: IncidentRepository;
  alerts: AlertRepository;
  /** The actions of these automation requests, those that exist. */
  actions: (requestIds: string[]) => Promise<ActionRun[]>;
  /**
   * The best knowledge-base sections for a query, `size` at most; undefined when no knowledge base is configured (the
   * page then shows the incident's own runbook section alone).
   */
  knowledge?: (query: string, size: number) => Promise<PageKnowledge[]>;
  /** Undefined when DETAIL_LINK_KEY or PUBLIC_BASE_URL is not set: no link can be checked, and none opens. */
  links?: DetailLinkKey;
  names: Map<string, string>;
  timeZone: string;
  now: () => number;
  log: Logger;
}

export interface DetailRequest {
  kind: LinkedKind;
  id: string;
  exp?: string;
  sig?: string;
}

/** What the page function answers: an HTML page (rendered with the response's CSP nonce) and its status, or a redirect. */
export type DetailAnswer =
  { status: 200 | 403 | 404 | 503; render: (nonce: string) => string } | { status: 302; location: string };

/** Sections of the knowledge base shown beside the incident's own runbook section. */
const KNOWLEDGE_HITS = 3;
/** Actions looked up for one page: the most recent ones the timeline names. */
const MAX_ACTIONS = 20;

const refusals: Record<LinkRefusal, string> = {
  unsigned: '链接缺少签名。请从飞书卡片上的「查看详情」打开。',
  forged: '链接签名不正确，可能被修改过。请从飞书卡片上的「查看详情」重新打开。',
  expired: '链接已过期。请从飞书卡片上的「查看详情」重新打开，或在群里发送 /incident show <事件ID>。',
};

/**
 * Answers a detail link: a refused link (unsigned, tampered with, expired) gets 403 and not a word about what it
 * names, so a guessed or stale link learns nothing, not even whether the incident exists. An alert's link leads to
 * its incident's page, by a link of its own that expires when the alert's would.
 */
export async function answerDetailLink(request: DetailRequest, deps: DetailDeps): Promise<DetailAnswer> {
  const page = (status: 403 | 404 | 503, title: string, message: string): DetailAnswer => ({
    status,
    render: (nonce) => noticePage(title, message, nonce),
  });
  if (!deps.links) {
    return page(503, '详情页未启用', '部署时未配置 DETAIL_LINK_KEY 或 PUBLIC_BASE_URL，详情页不可用。');
  }
  const refusal = refuseLink(deps.links.key, request, deps.now());
  if (refusal) {
    deps.log.warn('detail link refused', { kind: request.kind, refusal });
    return page(403, '无法打开', refusals[refusal]);
  }
  if (request.kind === 'alerts') {
    const alert = await deps.alerts.get(request.id);
    if (!alert?.incidentId) return page(404, '找不到事件', `告警 ${request.id} 不属于任何事件，或已过保留期。`);
    const ttlMs = Number(request.exp) * 1000 - deps.now();
    return { status: 302, location: detailLinker({ ...deps.links, ttlMs }, deps.now)('incidents', alert.incidentId) };
  }
  const incident = await deps.incidents.get(request.id);
  if (!incident) return page(404, '找不到事件', `事件 ${request.id} 不存在，或已过保留期。`);
  const [actions, knowledge] = await Promise.all([actionsOf(incident, deps), knowledgeFor(incident, deps)]);
  const now = new Date(deps.now()).toISOString();
  const view = { incident, actions, knowledge, names: deps.names, timeZone: deps.timeZone, now };
  return { status: 200, render: (nonce) => incidentPage({ ...view, nonce }) };
}

/** The actions its timeline names (an entry's `ref` is the request's id), newest first. */
function actionsOf(incident: StoredIncident, deps: DetailDeps): Promise<ActionRun[]> {
  const ids = [...new Set(incident.timeline.flatMap((entry) => (entry.ref ? [entry.ref] : [])))].slice(-MAX_ACTIONS);
  return ids.length ? deps.actions(ids.reverse()) : Promise.resolve([]);
}

/**
 * The incident's runbook section first, then the best other sections for what it is about. The page is shown without
 * them when the knowledge base fails: it is the incident people came for.
 */
async function knowledgeFor(incident: StoredIncident, deps: DetailDeps): Promise<PageKnowledge[]> {
  const shown: PageKnowledge[] = incident.related ? [{ ...incident.related }] : [];
  if (!deps.knowledge) return shown;
  const names = [...new Set(Object.values(incident.members).map((member) => member.name))].slice(0, 5);
  const query = [incident.title, ...names, incident.service].join(' ').replace(/([a-z])([A-Z])/g, '$1 $2');
  try {
    for (const hit of await deps.knowledge(query.slice(0, 300), KNOWLEDGE_HITS + 1)) {
      const known = shown.find((entry) => entry.title === hit.title && entry.section === hit.section);
      if (known) known.excerpt ??= hit.excerpt;
      else if (shown.length <= KNOWLEDGE_HITS) shown.push(hit);
    }
  } catch (error) {
    deps.log.warn('knowledge lookup for the detail page failed', { incidentId: incident.incidentId, error });
  }
  return shown;
}
