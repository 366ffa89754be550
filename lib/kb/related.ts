import type { Alert } from '../alerts/model.js';
import type { KnowledgeBase } from './knowledge-base.js';

/**
 * The runbook section for an alert: searched with what the alert says about itself (its name with camelCase apart,
 * its summary and service), shown on its cards as 相关知识.
 */
export function relatedKnowledge(kb: KnowledgeBase) {
  return async (alert: Alert) => {
    const query = [alert.name.replace(/([a-z])([A-Z])/g, '$1 $2'), alert.summary, alert.service]
      .filter(Boolean)
      .join(' ')
      .slice(0, 300);
    const [best] = await kb.search(query, 1);
    return best ? { title: best.title, section: best.section, source: best.source } : undefined;
  };
}
