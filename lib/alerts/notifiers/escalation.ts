import { runDue, type TimerDeps } from '../../incidents/timers.js';
import type { Notifier } from './notifier.js';

/**
 * The incident's escalation policy, from the router: an incident that someone is told about (not muted) and whose
 * severity its policy covers starts escalating, with its first level paged now; a page that failed is retried; a
 * step whose time has come is taken. Later steps and reminders come from the incident's timers (timers.ts), not from
 * the source sending again. Runs before the card, so the chat card already says who was paged.
 */
export function escalationNotifier(
  deps: Omit<TimerDeps, 'incidents' | 'teams' | 'now' | 'log' | 'updateCards'>,
): Notifier {
  return {
    name: 'escalation',
    async notify({ incident, audience }, { incidents, teams, now, log }) {
      if (!incident || incident.state !== 'triggered') return;
      if (!teams) throw new Error('escalation needs the teams of the alert path');
      const { incident: after } = await runDue(
        incident,
        { ...deps, incidents, teams, now, log, updateCards: async () => {} },
        { start: Boolean(audience?.channels.includes('card')) },
      );
      // The card notifier after this one shows the incident as escalation left it.
      Object.assign(incident, after);
    },
  };
}
