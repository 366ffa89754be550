import type { AutomationDeps } from '../automation/submit.js';
import { requestCards, type RequestCards } from '../automation/cards.js';
import type { Messenger } from '../feishu/messenger.js';
import type { Logger } from '../lambda/logger.js';
import { auditStore, automationConfig, automationQueue, requestStore } from './adapters.js';
import { env } from './env.js';

/** The request gate's dependencies, as chat and the runner both use them. */
export function automationDeps(log: Logger): AutomationDeps {
  const { inventory, automation } = automationConfig();
  return {
    requests: requestStore(),
    audit: auditStore(),
    queue: automationQueue(),
    inventory,
    automation,
    now: Date.now,
    log,
  };
}

/** The cards that follow a request (progress, approvals). */
export const automationCards = (messenger: Messenger, log: Logger): RequestCards =>
  requestCards(messenger, requestStore(), { timeZone: env().DISPLAY_TIME_ZONE, log });
