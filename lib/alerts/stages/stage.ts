import type { Logger } from '../../lambda/logger.js';
import type { Metrics } from '../../lambda/metrics.js';
import type { AlertingConfig } from '../config.js';
import type { ForwardedAlert } from '../dedup.js';
import type { InhibitRule } from '../inhibition.js';
import type { Alert } from '../model.js';
import type { StoredIncident } from '../../incidents/model.js';
import type { IncidentPermits } from '../../incidents/permissions.js';
import type { IncidentRepository } from '../../incidents/repository.js';
import type { Notifier } from '../notifiers/notifier.js';
import type { AlertRepository, StoredAlert } from '../repository.js';
import type { RoutePlan } from '../routing.js';
import type { Silence } from '../silences.js';

/** What an event does to the alert of its fingerprint. */
export type AlertChange =
  /** Firing, and nothing is open: a new alert. */
  | 'open'
  /** Firing again while the alert is open: counted, last seen refreshed. */
  | 'repeat'
  /** Resolved while the alert is open: closed. */
  | 'resolve'
  /** Applied before (an SQS redelivery): nothing is written again, the notifiers catch up. */
  | 'replay'
  /** Resolved, but never seen firing: kept for the record, nobody is told. */
  | 'orphan';

/** Why nobody new is told about an alert: a silence someone set, or a firing alert that explains it (inhibition). */
export type MuteReason =
  { kind: 'silence'; silence: Silence } | { kind: 'inhibition'; rule: InhibitRule; source: Alert };

/** One alert event on its way down the path: what dedup forwarded, and what each stage concluded about it. */
export interface AlertEvent {
  forwarded: ForwardedAlert;
  /** The fingerprint's newest stored alert when the event arrived. */
  latest?: StoredAlert;
  change?: AlertChange;
  mute?: MuteReason;
  /** Where the alert belongs: its routes, targets, on-call person and channels. */
  plan?: RoutePlan;
  /** Who is told about this event: the plan, or nobody new when the alert is muted. */
  audience?: RoutePlan;
  related?: StoredAlert['related'];
  /** What the alert's group has in common (lib/incidents/grouping.ts), for an alert that opens. */
  groupKey?: string;
  /** The incident the alert belongs to: found or claimed by `group`, and as it is once `attach` applied the event. */
  incidentId?: string;
  incident?: StoredIncident;
  /** False when the event left its incident as it was (a repeat): its cards need no update. */
  incidentChanged?: boolean;
  /**
   * The incident's worker must be woken for this event: the batch's write made cards that were up to date owe an
   * update (or the event is a redelivery, which may have died before waking it). One event per incident and batch.
   */
  incidentDirtied?: boolean;
  /** The alert as stored once the event is applied. */
  stored?: StoredAlert;
}

/** What the stages work with; one context serves one SQS batch. */
export interface AlertPathContext {
  repo: AlertRepository;
  incidents: IncidentRepository;
  config: AlertingConfig;
  /** Run in order for every change of an alert: the card first, so paging has a message to page about. */
  notifiers: Notifier[];
  log: Logger;
  now: () => number;
  /** Silences and inhibition, read once per batch (muteChecker); without it nothing is muted. */
  muteReason?: (alert: Alert) => Promise<MuteReason | undefined>;
  /** The best runbook section for a new alert; a failure here never holds up the alert. */
  relatedKnowledge?: (alert: Alert) => Promise<StoredAlert['related']>;
  /** Who may act on a new incident routed so, and their names (config); without it, anyone may. */
  permitsFor?: (plan: RoutePlan) => { permits: IncidentPermits; names: Record<string, string> };
  /** Whether a host is in automation's inventory: its incidents' cards then offer 诊断 (diagnose_host). */
  diagnosable?: (host: string) => boolean;
  /** Counts muted and notified alerts. */
  metrics?: Metrics;
}

/**
 * One stage of the alert path. It takes the event as the stages before left it and returns it, with what it
 * concluded, to go on; or returns nothing, and the path ends there.
 */
export type AlertStage = (event: AlertEvent, context: AlertPathContext) => Promise<AlertEvent | undefined>;

/**
 * A stage run once over the events of one batch that share something (their group, their incident), so that they
 * share its reads and writes. It returns them, in the same order, with what it concluded, to go on; if it throws,
 * those events fail, and only those.
 */
export type BatchStage = (events: AlertEvent[], context: AlertPathContext) => Promise<AlertEvent[]>;

/** What the events that go through a BatchStage together share; none: the event goes through on its own. */
export type SharedBy = (event: AlertEvent, context: AlertPathContext) => string | undefined;

/** The context's clock as the ISO time stored alerts use. */
export const isoNow = (context: Pick<AlertPathContext, 'now'>) => new Date(context.now()).toISOString();
