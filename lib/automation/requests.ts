import type { Actor } from '../alerts/repository.js';
import type { AuditEntry } from './audit.js';

/** Who asked: a person from chat, or a self-healing rule acting on an alert. */
export type Requester = { kind: 'person'; actor: Actor } | { kind: 'rule'; rule: string; alertId: string };

export type RequestStatus =
  'pending_approval' | 'queued' | 'running' | 'succeeded' | 'failed' | 'denied' | 'rejected' | 'expired';

/** One request to run an action, from the moment it is asked for to its result. */
export interface AutomationRequest {
  requestId: string;
  action: string;
  args: Record<string, unknown>;
  environment: string;
  /** What it acts on (the action's `target`), for the one-at-a-time lock and cooldowns. */
  target: string;
  requester: Requester;
  requestedAt: string;
  status: RequestStatus;
  /** The incident it was asked for (from its war room): its outcome goes on that incident's timeline. */
  incidentId?: string;
  /** Where to report: the chat message that asked, and the progress card sent in reply. */
  chatId?: string;
  messageId?: string;
  cardMessageId?: string;
  approval?: {
    expiresAt: string;
    approvers: string[];
    /** Approval cards sent, by approver open_id, so every one can be updated when someone decides. */
    cards: Record<string, string>;
    decidedBy?: Actor;
    decidedAt?: string;
  };
  startedAt?: string;
  finishedAt?: string;
  summary?: string;
  outputTail?: string;
  outputDigest?: string;
}

export interface RequestStore {
  /** Stores a new request; the same id again is a redelivered message: the stored one is returned, not created. */
  create(request: AutomationRequest): Promise<{ request: AutomationRequest; created: boolean }>;
  get(requestId: string): Promise<AutomationRequest | undefined>;
  /**
   * Moves a request from one status to another, with more fields set, only if it is still in `from`; returns the
   * updated request, or undefined when someone else moved it first.
   */
  transition(
    requestId: string,
    from: RequestStatus | RequestStatus[],
    to: RequestStatus,
    fields?: Partial<AutomationRequest>,
  ): Promise<AutomationRequest | undefined>;
  /** Records sent cards and other details that do not change the status. */
  update(requestId: string, fields: Partial<AutomationRequest>): Promise<void>;
  /** Takes the one-at-a-time lock of a target until `until` (epoch ms); false while another run holds it. */
  lockTarget(target: string, requestId: string, now: number, until: number): Promise<boolean>;
  unlockTarget(target: string, requestId: string): Promise<void>;
}

/** One guardrail as a rate: at most `max` runs per `windowMs` under `key` (a cooldown is max 1 per cooldown). */
export interface RunLimit {
  key: string;
  max: number;
  windowMs: number;
  /** Said when this limit stops a run. */
  reason: string;
}

/** Counts self-healing runs against their limits. */
export interface HealLedger {
  /** Records a run under every limit if none is reached; otherwise records nothing and names the limit that was. */
  claim(limits: RunLimit[], now: number): Promise<{ ok: true } | { ok: false; limit: RunLimit }>;
}

export const requesterName = (requester: Requester) =>
  requester.kind === 'rule' ? `自愈规则 ${requester.rule}` : (requester.actor.name ?? requester.actor.openId);

/** The audit entry for a request, in one place so every record names the same things. */
export function auditEntry(
  request: AutomationRequest,
  kind: AuditEntry['kind'],
  at: string,
  extra: Partial<AuditEntry> = {},
): AuditEntry {
  return {
    requestId: request.requestId,
    kind,
    actor:
      request.requester.kind === 'rule' ? { rule: request.requester.rule } : { openId: request.requester.actor.openId },
    action: request.action,
    args: request.args,
    environment: request.environment,
    at,
    ...extra,
  };
}
