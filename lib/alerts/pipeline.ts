import type { ForwardedAlert } from './dedup.js';
import type { StoredAlert } from './repository.js';
import { attach } from '../incidents/stages/attach.js';
import { group } from '../incidents/stages/group.js';
import { classify } from './stages/classify.js';
import { enrich } from './stages/enrich.js';
import { mute } from './stages/mute.js';
import { notify } from './stages/notify.js';
import { record } from './stages/record.js';
import { route } from './stages/route.js';
import type { AlertEvent, AlertPathContext, AlertStage } from './stages/stage.js';

/**
 * The alert path: what happens to an alert event once dedup has forwarded it, in order. Each stage is a file with
 * one signature (AlertStage): the alert's in lib/alerts/stages/, the incident's in lib/incidents/stages/.
 */
export const alertPath: AlertStage[] = [
  classify, // what the event does to its alert; a stale event (older than the alert it would change) ends here
  mute, //     silences and inhibition: a muted alert is still stored and counted, but nobody new is told
  route, //    where the alert belongs (routes, on-call) and who is told about this event
  group, //    the incident it belongs to: its group's open incident, or a new one (lib/incidents)
  enrich, //   the best runbook section for a new alert
  record, //   one conditional write: the alert as the stages above left it
  attach, //   one conditional write: the incident with the alert joining, leaving, or closing it (lib/incidents)
  notify, //   every notifier in order: the incident's card, 加急, reminder, self-healing
];

/**
 * Runs one forwarded event down the path, starting from what is stored about its fingerprint. Returns the alert as
 * it now is (or as it was, when a stage ended the path). Safe to run twice for the same event: SQS may redeliver.
 */
export async function runAlertPath(
  forwarded: ForwardedAlert,
  context: AlertPathContext,
  stages: AlertStage[] = alertPath,
): Promise<StoredAlert | undefined> {
  let event: AlertEvent = { forwarded, latest: await context.repo.latest(forwarded.alert.fingerprint) };
  for (const stage of stages) {
    const next = await stage(event, context);
    if (!next) break;
    event = next;
  }
  return event.stored ?? event.latest;
}
