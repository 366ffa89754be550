import type { InhibitRule } from './inhibition.js';
import { couldBeInhibited, inhibitedBy } from './inhibition.js';
import type { Alert } from './model.js';
import { silencedBy, type Silence } from './silences.js';

/** Why an alert is not sent: a silence someone set, or a firing alert that explains it (inhibition). */
export type MuteReason =
  { kind: 'silence'; silence: Silence } | { kind: 'inhibition'; rule: InhibitRule; source: Alert };

export interface MuteSources {
  silences(): Promise<Silence[]>;
  /** The alerts firing now (sources of inhibition). */
  firing(): Promise<Alert[]>;
}

/**
 * The mute step, between storing an alert and notifying about it: silenced or inhibited alerts are stored and
 * counted but not sent. One checker serves one batch, so silences and firing alerts are read at most once per batch,
 * and the firing alerts only when an inhibition rule could apply.
 */
export function muteChecker(sources: MuteSources, rules: InhibitRule[], now: number) {
  let silences: Promise<Silence[]> | undefined;
  let firing: Promise<Alert[]> | undefined;
  return async (alert: Alert): Promise<MuteReason | undefined> => {
    silences ??= sources.silences();
    const silence = silencedBy(alert, await silences, now);
    if (silence) return { kind: 'silence', silence };
    if (!couldBeInhibited(alert, rules)) return undefined;
    firing ??= sources.firing();
    const inhibition = inhibitedBy(alert, await firing, rules);
    return inhibition && { kind: 'inhibition', ...inhibition };
  };
}

export const describeMute = (reason: MuteReason) =>
  reason.kind === 'silence'
    ? `被静默 ${reason.silence.id} 屏蔽（至 ${reason.silence.endsAt}）`
    : `被抑制规则 ${reason.rule.name} 屏蔽：${reason.source.name}（${reason.source.service}）正在触发`;
