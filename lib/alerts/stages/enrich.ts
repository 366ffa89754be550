import type { AlertStage } from './stage.js';

/**
 * The best runbook section for a new alert, shown on its cards as 相关知识. Looked up once, when the alert opens; a
 * lookup that fails or finds nothing leaves the alert as it is and never holds it up.
 */
export const enrich: AlertStage = async (event, { relatedKnowledge, log }) => {
  if (event.change !== 'open' || !relatedKnowledge) return event;
  const { alert } = event.forwarded;
  try {
    const related = await relatedKnowledge(alert);
    return related ? { ...event, related } : event;
  } catch (error) {
    log.warn('related knowledge lookup failed', { fingerprint: alert.fingerprint, error });
    return event;
  }
};
