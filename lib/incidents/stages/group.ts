import { isoNow, type AlertStage } from '../../alerts/stages/stage.js';
import { stableId } from '../../lambda/ids.js';
import { groupKeyOf } from '../grouping.js';
import { reopensAt } from '../flapping.js';
import { isOpen } from '../model.js';

/**
 * The incident an alert belongs to. An alert that opens joins the open incident of its group, reopens it if it
 * resolved on its own within the flap window (the same card; attach.ts), or takes the group for a new incident (a
 * conditional write on the group's pointer, so two first members arriving at once make one incident); every later
 * event of the alert stays with the incident it joined.
 */
export const group: AlertStage = async (event, context) => {
  const { config, incidents } = context;
  if (event.change !== 'open') {
    const incidentId = event.latest?.incidentId;
    return incidentId ? { ...event, incidentId } : event;
  }
  const { alert } = event.forwarded;
  const route = config.routes.find((candidate) => candidate.name === event.plan?.routes[0]);
  const groupKey = groupKeyOf(alert, route);
  const held = await incidents.forGroup(groupKey);
  const current = (incident: NonNullable<typeof held>['incident']) =>
    !incident || isOpen(incident) || reopensAt(incident, isoNow(context), config.flapping);
  if (held && current(held.incident)) {
    return { ...event, groupKey, incidentId: held.incidentId, incident: held.incident };
  }
  const candidate = stableId('incident', groupKey, alert.eventId).slice(0, 12);
  const incidentId = await incidents.claimGroup(groupKey, candidate, held?.incidentId);
  const incident = incidentId === candidate ? undefined : await incidents.get(incidentId);
  return { ...event, groupKey, incidentId, incident };
};
