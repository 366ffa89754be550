import { within } from '../../lambda/within.js';
import type { AlertStage } from './stage.js';

/**
 * How long the lookup may take. Beyond it the alert goes on without: a slow knowledge base must not hold up the card
 * (the lookup runs on, and its answer is dropped).
 */
export const RELATED_LOOKUP_MS = 500;

/**
 * The best runbook section for a new alert, shown on its cards as 相关知识. Looked up once, when the alert opens; a
 * lookup that fails, finds nothing or takes longer than RELATED_LOOKUP_MS leaves the alert as it is and never holds it
 * up.
 */
export const enrich: AlertStage = async (event, { relatedKnowledge, log }) => {
  if (event.change !== 'open' || !relatedKnowledge) return event;
  const { alert } = event.forwarded;
  try {
    const related = await within(relatedKnowledge(alert), RELATED_LOOKUP_MS, () => 'late' as const);
    if (related === 'late') {
      log.warn('related knowledge lookup too slow; the alert goes on without', {
        fingerprint: alert.fingerprint,
        limitMs: RELATED_LOOKUP_MS,
      });
      return event;
    }
    return related ? { ...event, related } : event;
  } catch (error) {
    log.warn('related knowledge lookup failed', { fingerprint: alert.fingerprint, error });
    return event;
  }
};
