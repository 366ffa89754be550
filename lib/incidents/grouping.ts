import { matchLabels, type Alert } from '../alerts/model.js';
import type { Route } from '../alerts/routing.js';

/**
 * Which incident an alert belongs to, as a key that is the same for every member of the group:
 * - the source's own group: an Alertmanager `groupKey`, a CloudWatch alarm, a generic alert's `group` field;
 * - else the route's `groupBy` labels, like Alertmanager's `group_by`;
 * - else the alert's name and service.
 */
export function groupKeyOf(alert: Alert, route: Pick<Route, 'name' | 'groupBy'> | undefined): string {
  if (alert.group) return `${alert.source}:${alert.group}`;
  if (route?.groupBy?.length) {
    const labels = matchLabels(alert);
    return `route:${route.name}:${route.groupBy.map((name) => `${name}=${labels[name] ?? ''}`).join(',')}`;
  }
  return `default:alertname=${alert.name},service=${alert.service}`;
}
