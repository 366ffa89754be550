import type { Severity } from '../../../lib/alerts/severity.js';
import type { IncidentMember, StoredIncident } from '../../../lib/incidents/model.js';

export const OPENED_AT = '2026-12-01T02:00:00.000Z';

let sequence = 0;
/** A fresh 12-hex id per call, so incidents and members of one test never collide. */
const nextId = (prefix: string) => `${prefix}${(++sequence).toString(16).padStart(11, '0')}`;

/** A firing member of an incident; `fields` change whatever a test is about. */
export function makeMember(
  name = 'HighErrorRate',
  severity: Severity = 'warning',
  fields: Partial<IncidentMember> = {},
): IncidentMember {
  const alertId = nextId('a');
  return {
    alertId,
    fingerprint: `f${alertId}`,
    name,
    severity,
    status: 'firing',
    labels: {},
    summary: 'API 5xx rate above 5%',
    at: OPENED_AT,
    ...fields,
  };
}

/** A triggered incident routed to one chat, with `members` (one warning by default). */
export function makeIncident(
  fields: Partial<StoredIncident> = {},
  members: IncidentMember[] = [makeMember()],
): StoredIncident {
  return {
    incidentId: nextId('c'),
    groupKey: 'default:alertname=HighErrorRate,service=api',
    state: 'triggered',
    title: members[0]?.name ?? 'HighErrorRate',
    service: 'api',
    members: Object.fromEntries(members.map((member) => [member.alertId, member])),
    firing: members.length,
    resolved: 0,
    plan: { routes: ['default'], targets: [{ kind: 'chat', id: 'oc_ops' }], channels: ['card'] },
    notifications: {},
    version: 1,
    openedAt: OPENED_AT,
    updatedAt: OPENED_AT,
    timeline: [],
    ...fields,
  };
}
