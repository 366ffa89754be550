import { isoNow, type BatchStage, type SharedBy } from '../../alerts/stages/stage.js';
import { stableId } from '../../lambda/ids.js';
import { groupKeyOf } from '../grouping.js';
import { reopensAt } from '../flapping.js';
import { isOpen } from '../model.js';

/** The group of an alert that opens (grouping.ts), by its first route; later events stay where their alert is. */
export const groupOf: SharedBy = (event, { config }) => {
  if (event.change !== 'open') return undefined;
  const route = config.routes.find((candidate) => candidate.name === event.plan?.routes[0]);
  return groupKeyOf(event.forwarded.alert, route);
};

/**
 * The incident the batch's alerts of one group belong to. Alerts that open join the open incident of their group,
 * reopen it if it resolved on its own within the flap window (the same card; attach.ts), or take the group for a new
 * incident (a conditional write on the group's pointer, so two batches whose first members arrive at once make one
 * incident); the group is read and taken once for the batch, whatever its number of alerts. Every later event of an
 * alert stays with the incident it joined.
 */
export const group: BatchStage = async (events, context) => {
  const { config, incidents } = context;
  const groupKey = groupOf(events[0]!, context);
  if (!groupKey) {
    return events.map((event) => {
      const incidentId = event.latest?.incidentId;
      return incidentId ? { ...event, incidentId } : event;
    });
  }
  const held = await incidents.forGroup(groupKey);
  const current = (incident: NonNullable<typeof held>['incident']) =>
    !incident || isOpen(incident) || reopensAt(incident, isoNow(context), config.flapping);
  if (held && current(held.incident)) {
    return events.map((event) => ({ ...event, groupKey, incidentId: held.incidentId, incident: held.incident }));
  }
  const candidate = stableId('incident', groupKey, events[0]!.forwarded.alert.eventId).slice(0, 12);
  const incidentId = await incidents.claimGroup(groupKey, candidate, held?.incidentId);
  const incident = incidentId === candidate ? undefined : await incidents.get(incidentId);
  return events.map((event) => ({ ...event, groupKey, incidentId, incident }));
};
