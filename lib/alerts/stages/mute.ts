import { couldBeInhibited, inhibitedBy, type InhibitRule } from '../inhibition.js';
import { alertDimensions, type Alert } from '../model.js';
import { silencedBy, type Silence } from '../silences.js';
import type { AlertStage, MuteReason } from './stage.js';

/**
 * Where silenced and inhibited alerts are held back: a firing event that a silence or a firing source alert mutes goes
 * on with the mute reason, so it is still stored, counted and kept on its timeline, and routing then tells nobody new
 * about it. The cards it already has are still brought up to date (a resolution still turns them green).
 */
export const mute: AlertStage = async (event, context) => {
  const { alert } = event.forwarded;
  if (alert.status !== 'firing' || !context.muteReason) return event;
  const reason = await context.muteReason(alert);
  if (!reason) return event;
  context.log.info('alert muted', {
    fingerprint: alert.fingerprint,
    by: reason.kind,
    silence: reason.kind === 'silence' ? reason.silence.id : undefined,
    rule: reason.kind === 'inhibition' ? reason.rule.name : undefined,
  });
  if (event.change !== 'replay') context.metrics?.add('AlertsMuted', alertDimensions(alert));
  return { ...event, mute: reason };
};

export interface MuteSources {
  silences(): Promise<Silence[]>;
  /** The alerts firing now (sources of inhibition). */
  firing(): Promise<Alert[]>;
}

/**
 * Silences and inhibition for one batch: silences and firing alerts are read at most once per batch, and the firing
 * alerts only when an inhibition rule could apply.
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
