import { couldInhibit, type InhibitRule } from '../inhibition.js';
import type { Queue } from '../../lambda/queue.js';
import { releaseAt, type MuteRelease } from '../../incidents/release.js';
import type { Notifier } from './notifier.js';

/**
 * The store's index of firing alerts (what inhibition reads) is eventually consistent: the release check waits this
 * long after the inhibitor's resolution was stored, so it sees it resolved.
 */
const INDEX_SETTLE_MS = 2000;

/**
 * When an alert that can inhibit others resolves, the alerts it muted are checked again within seconds
 * (lib/incidents/release.ts) and those still firing are told of, rather than waiting for their source to send again.
 */
export function muteReleaseNotifier(queue: Queue<MuteRelease>, rules: InhibitRule[]): Notifier {
  return {
    name: 'mute-release',
    async notify({ stored, decision, changed }, { now }) {
      if (!stored || decision !== 'resolve' || changed === false || !couldInhibit(stored.alert, rules)) return;
      const nowMs = Date.parse(now());
      const at = new Date(nowMs + INDEX_SETTLE_MS).toISOString();
      await releaseAt(queue, at, `${stored.alert.name}（${stored.alert.service}）已恢复`, nowMs);
    },
  };
}
