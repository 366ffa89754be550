import type { AlertingConfig } from '../alerts/config.js';
import type { Actor, AlertRepository } from '../alerts/repository.js';
import type { StoredIncident } from '../incidents/model.js';
import type { AutomationDeps } from '../automation/submit.js';
import type { RequestCards } from '../automation/cards.js';
import type { OutgoingMessage } from '../feishu/messenger.js';
import type { LanguageModel } from '../kb/answer.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import type { Logger } from '../lambda/logger.js';
import type { IncidentActionDeps } from './incident-actions.js';

/** What chat needs to hand work to automation: the request gate, and the cards that follow a request. */
export type ChatAutomation = AutomationDeps & { cards: RequestCards };

export interface ChatopsDeps extends IncidentActionDeps {
  repo: AlertRepository;
  config: AlertingConfig;
  /** Absent where automation is not configured: its commands then say so. */
  automation?: ChatAutomation;
  /** Absent where no knowledge base is configured: questions are answered that it is not. */
  knowledge?: KnowledgeBase;
  /** Writes answers from the knowledge base; without it, answers are the best passages. */
  model?: LanguageModel;
  /** Brings every card of an incident in line with its state, after a command changed it. */
  syncCards(incident: StoredIncident): Promise<void>;
  log: Logger;
}

/** One command as typed: who, where, and the words after the command name. */
export interface Invocation {
  actor: Actor;
  messageId: string;
  chatId: string;
  args: string[];
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
