import { planRoute } from '../routing.js';
import type { AlertStage } from './stage.js';

/**
 * Where the alert belongs and who is told about this event. A new alert is routed now, by the routes and who is on
 * call at this moment; later events keep the plan it was stored with. After the mute stage: a muted alert keeps its
 * plan (for when the silence ends) but has no audience, so nobody new is told and nobody is paged.
 */
export const route: AlertStage = async (event, { config, now }) => {
  const routedNow = event.change === 'open' || event.change === 'orphan' || !event.latest;
  const plan = routedNow ? planRoute(event.forwarded.alert, config.routes, config.teams, now()) : event.latest!.plan;
  return { ...event, plan, audience: event.mute ? undefined : plan };
};
