import type { Alert } from '../alerts/model.js';
import type { RelatedKnowledge } from '../alerts/repository.js';
import type { KnowledgeBase } from './knowledge-base.js';
import type { RunbookAction } from './markdown.js';

/** As much of the section as the card shows: its first lines, enough to act on at 3 a.m. */
const EXCERPT_CHARS = 300;
/** Labels that say nothing about what the alert is about (they are on every alert, or are its severity). */
const GENERIC_LABELS = new Set(['alertname', 'severity', 'service', 'job', 'prometheus', 'replica', 'env']);

/**
 * What an alert says about itself, as a query: its name with camelCase apart, its summary, its service, and the values
 * of its labels that tell what is affected (an instance, a device, a queue).
 */
export function relatedQuery(alert: Pick<Alert, 'name' | 'summary' | 'service' | 'labels'>): string {
  const labels = Object.entries(alert.labels)
    .filter(([key]) => !GENERIC_LABELS.has(key))
    .map(([, value]) => value);
  return [alert.name.replace(/([a-z])([A-Z])/g, '$1 $2'), alert.summary, alert.service, ...labels]
    .filter(Boolean)
    .join(' ')
    .slice(0, 300);
}

/** The first lines of a section as plain text: markdown marks and blank lines out, cut at EXCERPT_CHARS. */
export function excerptOf(text: string): string {
  const plain = text
    .split('\n')
    .map((line) =>
      line
        .replace(/^#{1,6}\s+/, '')
        .replace(/^\s*(?:[-*+]|\d+\.)\s+/, '· ')
        .replace(/[*_`]+/g, '')
        .trim(),
    )
    .filter(Boolean)
    .join(' ');
  return plain.length > EXCERPT_CHARS ? `${plain.slice(0, EXCERPT_CHARS - 1)}…` : plain;
}

/**
 * The runbook section for an alert, shown on its cards as 相关知识 with its first lines: the best hit for what the
 * alert says about itself (relatedQuery), and that section's text.
 */
export function relatedKnowledge(kb: KnowledgeBase) {
  return async (alert: Alert): Promise<(RelatedKnowledge & { actions?: RunbookAction[] }) | undefined> => {
    const [best] = await kb.search(relatedQuery(alert), 1);
    if (!best) return undefined;
    const [text, article] = await Promise.all([kb.sectionText(best.sectionId), kb.get(best.articleId)]);
    const excerpt = text && excerptOf(text);
    return {
      title: best.title,
      section: best.section,
      source: best.source,
      ...(excerpt ? { excerpt } : {}),
      ...(article?.actions?.length ? { actions: article.actions } : {}),
    };
  };
}
