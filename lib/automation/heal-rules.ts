import { matchesAll, parseMatcher } from '../alerts/matchers.js';
import { matchLabels, type Alert } from '../alerts/model.js';
import type { HealRule } from './config.js';

/*
 * Which self-healing rules an alert calls for, and with what arguments. Kept apart from the runner's side of
 * self-healing so the alert router, which only queues heal tasks, does not bundle requests, RBAC and the audit log.
 */

/** The rules whose matchers all match a firing alert, in config order. */
export function matchingRules(alert: Alert, rules: HealRule[]): HealRule[] {
  const labels = matchLabels(alert);
  return rules.filter((rule) => matchesAll(rule.match.map(parseMatcher), labels));
}

/**
 * Arguments (a rule's, a runbook's suggestion's) with `{{labels.x}}`, `{{service}}`, `{{host}}`, `{{alertname}}`
 * filled in from the alert. The values then go through the action's schema like anything typed in chat: a label
 * cannot smuggle in a command.
 */
export function templateArgs(args: Record<string, string | number>, alert: Alert): Record<string, unknown> {
  const labels = matchLabels(alert);
  const fill = (value: string | number) =>
    typeof value === 'number'
      ? value
      : value.replace(
          /\{\{\s*(labels\.([A-Za-z_][A-Za-z0-9_]*)|service|host|alertname)\s*\}\}/g,
          (_, field: string, label?: string) =>
            label
              ? (alert.labels[label] ?? '')
              : field === 'host'
                ? (alert.host ?? labels.host ?? '')
                : (labels[field] ?? ''),
        );
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, fill(value)]));
}
