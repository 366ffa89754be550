import type { AlertingConfig } from '../alerts/config.js';
import type { Person } from '../alerts/oncall.js';
import type { OverrideStore } from '../alerts/overrides.js';
import type { Alert } from '../alerts/model.js';
import type { Actor, AlertRepository } from '../alerts/repository.js';
import type { CardOptions } from '../incidents/card.js';
import type { StoredIncident } from '../incidents/model.js';
import type { PermissionRules } from '../incidents/permissions.js';
import type { AutomationDeps } from '../automation/submit.js';
import type { RequestCards } from '../automation/cards.js';
import type { Messenger, OutgoingMessage } from '../feishu/messenger.js';
import type { LanguageModel } from '../kb/answer.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import type { Logger } from '../lambda/logger.js';
import type { IncidentActionDeps } from './incident-actions.js';

/** What chat needs to hand work to automation: the request gate, and the cards that follow a request. */
export type ChatAutomation = AutomationDeps & { cards: RequestCards };

export interface ChatopsDeps extends IncidentActionDeps, CardOptions {
  repo: AlertRepository;
  /** For what a command posts beyond its reply (a status update under the incident's cards). */
  messenger: Messenger;
  config: AlertingConfig;
  /** Absent where automation is not configured: its commands then say so. */
  automation?: ChatAutomation;
  /** Absent where no knowledge base is configured: questions are answered that it is not. */
  knowledge?: KnowledgeBase;
  /** Writes answers from the knowledge base; without it, answers are the best passages. */
  model?: LanguageModel;
  /** Queues an alert as a source would (a declared incident goes through the alert path like any other). */
  raiseAlert(alert: Alert): Promise<void>;
  /** Brings every card of an incident in line with its state, after a command changed it. */
  syncCards(incident: StoredIncident): Promise<void>;
  /** Who may act on incidents and on-call, for what is not decided on an incident (label silences, overrides). */
  permissions: PermissionRules;
  /** On-call overrides set from chat. */
  overrides: OverrideStore;
  /**
   * Escalates an open incident to its next step now (its first, if it never escalated), with the teams as they are
   * now; `paged` says who was called. Unchanged when a step is being paged or there is none left.
   */
  escalateNow(incident: StoredIncident): Promise<{ incident: StoredIncident; changed: boolean; paged?: string }>;
  log: Logger;
}

/** One command as typed: who, where, and the words after the command name. */
export interface Invocation {
  actor: Actor;
  messageId: string;
  chatId: string;
  args: string[];
  /** People @-mentioned in the message (the bot aside), with the names Feishu gave them. */
  mentioned?: Person[];
}

export interface Command {
  name: string;
  /** One line per form, e.g. `/alert ack <告警ID>`. */
  usage: string[];
  summary: string;
  example: string;
  /** The reply; undefined when the command has answered by itself (a request's card). */
  run(invocation: Invocation, deps: ChatopsDeps): Promise<OutgoingMessage | undefined>;
}

export const textReply = (value: string): OutgoingMessage => ({ kind: 'text', text: value });
export const cardReply = (value: object): OutgoingMessage => ({ kind: 'card', card: value });
