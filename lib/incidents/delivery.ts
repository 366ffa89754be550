import type { TimelineEntry } from '../alerts/repository.js';
import { isRetryable, type Messenger } from '../feishu/messenger.js';
import { BudgetSpent } from '../feishu/paced-messenger.js';
import { stableId } from '../lambda/ids.js';
import type { Logger } from '../lambda/logger.js';
import { cardOptions, incidentCard, type CardOptions } from './card.js';
import type { StoredIncident } from './model.js';
import type { DeliveryRound } from './repository.js';

export interface DeliveryDeps extends CardOptions {
  messenger: Messenger;
  now: () => string;
  log: Logger;
}

/**
 * Whether the incident's cards are owed to its route's targets: once a member joined that someone is to be told about
 * (not muted, above info), always after. A resolution that overtakes the first card (a struggling Feishu, a backlog)
 * still leaves one, sent late and already green, so the on-call person sees what happened.
 */
export const cardsOwed = (incident: StoredIncident) =>
  Boolean(incident.announcedAt) ||
  Object.values(incident.members).some((member) => !member.muted && member.severity !== 'info');

/**
 * One round of bringing an incident's cards up to its current version: every card that shows an older version is
 * patched, and every target of its route that is owed a card and has none gets one (once owed, a card is sent even
 * after the incident resolved: it arrives green). The card is rendered once for the round; each target's call is its
 * own, retried by the messenger, and a target that fails does not hold up the others. Returns what went through,
 * per target, for the caller to note (so the next round repeats none of it), how many cards went out (sent or
 * updated), and the targets that failed in a way worth trying again (`deferred`: those only waiting for a full send
 * budget).
 */
export async function deliverCards(
  incident: StoredIncident,
  deps: DeliveryDeps,
): Promise<{ failed: string[]; deferred: string[]; round: DeliveryRound; delivered: number }> {
  const version = incident.version ?? 0;
  const at = deps.now();
  const card = incidentCard(incident, { ...cardOptions(deps), now: at });
  const sent: Record<string, string> = {};
  const versions: Record<string, number> = {};
  const entries: TimelineEntry[] = [];
  const failed: string[] = [];
  const deferred: string[] = [];
  let delivered = 0;
  const note = (target: string, error: unknown) => {
    if (error instanceof BudgetSpent) deferred.push(target);
    else deps.log.error('card delivery failed', { incidentId: incident.incidentId, target, error });
    if (isRetryable(error)) failed.push(target);
    else {
      // A refusal that will not change by trying again (the bot left the chat, the message is gone): given up for
      // this version, noted on the timeline, tried again only when the incident changes.
      versions[target] = version;
      entries.push({ at, event: 'card_failed', detail: `${target}：${(error as Error).message.slice(0, 200)}` });
    }
  };
  const calls: Promise<void>[] = [];
  for (const [target, messageId] of Object.entries(incident.notifications)) {
    if ((incident.cardVersions?.[target] ?? 0) >= version) continue;
    calls.push(
      deps.messenger.patchCard(messageId, card).then(
        () => void ((versions[target] = version), delivered++),
        (error: unknown) => note(target, error),
      ),
    );
  }
  const owed = cardsOwed(incident);
  if (owed) {
    const room = incident.warRoom?.chatId;
    for (const target of [...incident.plan.targets, ...(room ? [{ kind: 'chat' as const, id: room }] : [])]) {
      const key = `${target.kind}:${target.id}`;
      if (incident.notifications[key] || (incident.cardVersions?.[key] ?? 0) >= version) continue;
      calls.push(
        deps.messenger.sendCard(target, card, stableId(incident.incidentId, key)).then(
          (messageId) => {
            sent[key] = messageId;
            versions[key] = version;
            delivered++;
            entries.push({ at, event: 'notified', detail: `卡片已发送至 ${key}` });
          },
          (error: unknown) => note(key, error),
        ),
      );
    }
  }
  await Promise.all(calls);
  return {
    failed,
    deferred,
    delivered,
    round: { sent, versions, at, entries, announce: owed && !incident.announcedAt },
  };
}
