import { matchesAll, type LabelMatcher } from './matchers.js';
import { matchLabels, type Alert } from './model.js';

/** Alertmanager's inhibit rule: while a source alert fires, target alerts with the same `equal` labels are muted. */
export interface InhibitRule {
  name: string;
  source: LabelMatcher[];
  target: LabelMatcher[];
  equal: string[];
}

export const couldBeInhibited = (alert: Alert, rules: InhibitRule[]) =>
  rules.some((rule) => matchesAll(rule.target, matchLabels(alert)));

/** Whether `alert` can mute others: while it fires, the targets of a rule whose source it matches are muted. */
export const couldInhibit = (alert: Alert, rules: InhibitRule[]) =>
  rules.some((rule) => matchesAll(rule.source, matchLabels(alert)));

/**
 * The rule and firing source alert that mute `alert`, with Alertmanager's semantics: a label in `equal` missing on
 * both sides counts as equal; an alert never inhibits itself; and an alert matching both sides of a rule cannot be
 * muted by another that also matches both (two such alerts would otherwise silence each other).
 */
export function inhibitedBy(
  alert: Alert,
  firing: Alert[],
  rules: InhibitRule[],
): { rule: InhibitRule; source: Alert } | undefined {
  const labels = matchLabels(alert);
  for (const rule of rules) {
    if (!matchesAll(rule.target, labels)) continue;
    const targetIsSource = matchesAll(rule.source, labels);
    for (const source of firing) {
      if (source.status !== 'firing' || source.fingerprint === alert.fingerprint) continue;
      const sourceLabels = matchLabels(source);
      if (!matchesAll(rule.source, sourceLabels)) continue;
      if (targetIsSource && matchesAll(rule.target, sourceLabels)) continue;
      if (rule.equal.every((name) => (sourceLabels[name] ?? '') === (labels[name] ?? ''))) return { rule, source };
    }
  }
  return undefined;
}

/**
 * The alert names that can be inhibition sources, when every rule names its source's alertname exactly: the firing
 * alerts then need only be read for those names. Undefined when some rule's source could be any alert.
 */
export function sourceAlertNames(rules: InhibitRule[]): string[] | undefined {
  const names = rules.map(
    (rule) => rule.source.find((matcher) => matcher.name === 'alertname' && matcher.op === '=')?.value,
  );
  return names.every((name): name is string => name !== undefined) ? [...new Set(names)] : undefined;
}
