import { groupBy } from '../lambda/group-by.js';
import type { ForwardedAlert } from './dedup.js';
import type { StoredAlert } from './repository.js';
import { attach, incidentOf } from '../incidents/stages/attach.js';
import { group, groupOf } from '../incidents/stages/group.js';
import { classify } from './stages/classify.js';
import { enrich } from './stages/enrich.js';
import { mute } from './stages/mute.js';
import { notify } from './stages/notify.js';
import { record } from './stages/record.js';
import { route } from './stages/route.js';
import type { AlertEvent, AlertPathContext, AlertStage, BatchStage, SharedBy } from './stages/stage.js';

/**
 * A step of the alert path: a stage each event goes through on its own, or one that the events of a batch sharing
 * something go through together.
 */
export type AlertStep = AlertStage | { per: SharedBy; stage: BatchStage };

/**
 * The alert path: what happens to the alert events of a batch once dedup has forwarded them, in order. Each stage is
 * a file: the alert's in lib/alerts/stages/, the incident's in lib/incidents/stages/.
 */
export const alertPath: AlertStep[] = [
  classify, // what the event does to its alert; a stale event (older than the alert it would change) ends here
  mute, //     silences and inhibition: a muted alert is still stored and counted, but nobody new is told
  route, //    where the alert belongs (routes, on-call) and who is told about this event
  { per: groupOf, stage: group }, // per group: its open incident, or a new one, read and taken once (lib/incidents)
  enrich, //   the best runbook section for a new alert
  record, //   one conditional write per alert: the alert as the stages above left it
  { per: incidentOf, stage: attach }, // per incident, one conditional write: the alerts joining, leaving, closing it
  notify, //   every notifier in order: the incident's card, 加急, reminder, self-healing
];

/** An event on its way, and where it stands in the batch. */
interface Running {
  index: number;
  event: AlertEvent;
}

/**
 * Runs the forwarded events of a batch down the path together (at most one per fingerprint: the caller keeps a
 * fingerprint's events in order, in waves), each starting from what is stored about its fingerprint. The events go
 * through each alert's stage on their own and at once; at a stage they go through together they wait for each other,
 * so that the events of one group or incident share its reads and writes (those that share nothing go through on
 * their own). Settles each event on its own: the alert as it now is (or as it was, when a stage ended its path), or
 * why it failed. Safe to run twice for the same events: SQS may redeliver.
 */
export async function runAlertBatch(
  batch: ForwardedAlert[],
  context: AlertPathContext,
  steps: AlertStep[] = alertPath,
): Promise<PromiseSettledResult<StoredAlert | undefined>[]> {
  const settled: PromiseSettledResult<StoredAlert | undefined>[] = [];
  const end = ({ index, event }: Running) =>
    void (settled[index] = { status: 'fulfilled', value: event.stored ?? event.latest });
  const fail = (index: number, reason: unknown) => void (settled[index] = { status: 'rejected', reason });
  let running = await Promise.all(
    batch.map(async (forwarded, index): Promise<Running | undefined> => {
      try {
        return { index, event: { forwarded, latest: await context.repo.latest(forwarded.alert.fingerprint) } };
      } catch (error) {
        return fail(index, error);
      }
    }),
  ).then(present);
  for (let at = 0; at < steps.length && running.length;) {
    const step = steps[at]!;
    if (typeof step !== 'function') {
      const shared = groupBy(running, (entry) => step.per(entry.event, context) ?? entry.index);
      running = (await Promise.all(shared.map((entries) => together(step.stage, entries)))).flat();
      at++;
      continue;
    }
    // The alert stages up to the next shared one: each event goes down them without waiting for the others.
    let next = at;
    while (next < steps.length && typeof steps[next] === 'function') next++;
    const stages = steps.slice(at, next) as AlertStage[];
    running = present(await Promise.all(running.map((entry) => eachAlert(stages, entry))));
    at = next;
  }
  running.forEach(end);
  return settled;

  async function eachAlert(stages: AlertStage[], entry: Running): Promise<Running | undefined> {
    let event = entry.event;
    try {
      for (const stage of stages) {
        const next = await stage(event, context);
        if (!next) return end({ index: entry.index, event });
        event = next;
      }
      return { index: entry.index, event };
    } catch (error) {
      return fail(entry.index, error);
    }
  }

  async function together(stage: BatchStage, entries: Running[]): Promise<Running[]> {
    try {
      const events = await stage(
        entries.map((entry) => entry.event),
        context,
      );
      return events.map((event, i) => ({ index: entries[i]!.index, event }));
    } catch (error) {
      entries.forEach((entry) => fail(entry.index, error));
      return [];
    }
  }
}

/**
 * Runs one forwarded event down the path on its own (a batch of one): the alert as it now is, or the error that
 * failed it.
 */
export async function runAlertPath(forwarded: ForwardedAlert, context: AlertPathContext, steps = alertPath) {
  const [settled] = await runAlertBatch([forwarded], context, steps);
  if (settled!.status === 'rejected') throw settled!.reason;
  return settled!.value;
}

const present = <T>(items: (T | undefined)[]) => items.filter((item): item is T => item !== undefined);
