import { actionRun } from '../automation/cards.js';
import type { DetailDeps } from '../incidents/detail.js';
import { rosterNames } from '../incidents/timeline.js';
import { logger } from '../lambda/logger.js';
import { alertRepository, alertingConfig, incidentRepository, requestStore } from './adapters.js';
import { detailLinkKey } from './detail-links.js';
import { env } from './env.js';
import { knowledgeBase } from './knowledge.js';

/**
 * What `incident-page` needs: the link key, the incidents, alerts and automation requests it shows, the knowledge
 * base for the sections beside them, and the roster's names. The configuration is read at cold start.
 */
export function incidentPage() {
  const names = rosterNames(alertingConfig().teams.values());
  const log = logger.child({ function: 'incident-page' });
  return async (): Promise<DetailDeps> => {
    const kb = await knowledgeBase();
    const requests = requestStore();
    return {
      incidents: incidentRepository(),
      alerts: alertRepository(),
      actions: async (ids) => {
        const found = await Promise.all(ids.map((id) => requests.get(id)));
        return found.flatMap((request) => (request ? [actionRun(request)] : []));
      },
      knowledge:
        kb &&
        (async (query, size) =>
          (await kb.search(query, size)).map((hit) => ({
            title: hit.title,
            section: hit.section,
            source: hit.source,
            // Snippets are HTML with the matches marked; the page escapes what it shows, so it takes plain text.
            excerpt: hit.snippet
              .replace(/<\/?em>/g, '')
              .replace(/&lt;/g, '<')
              .replace(/&gt;/g, '>')
              .replace(/&amp;/g, '&'),
          }))),
      links: await detailLinkKey(),
      names,
      timeZone: env().DISPLAY_TIME_ZONE,
      now: Date.now,
      log,
    };
  };
}
