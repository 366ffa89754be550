import type { Actor, KnowledgeDraft, SuggestedAction, TimelineEntry } from '../../../lib/alerts/repository.js';
import type { IncidentState, StoredIncident } from '../../../lib/incidents/model.js';
import type {
  DeliveryRound,
  IncidentChange,
  IncidentRepository,
  MembersChange,
} from '../../../lib/incidents/repository.js';

/**
 * The DynamoDB adapter (lib/store/incidents-table.ts) in memory, with the same conditions. Like a table, it hands
 * out copies: a caller's changes to a returned incident are not stored unless it calls the repository.
 */
export class MemoryIncidentRepository implements IncidentRepository {
  readonly incidents = new Map<string, StoredIncident>();
  readonly groups = new Map<string, string>();
  readonly notePrompts = new Map<string, string>();
  /** Every write, by method name: tests count writes as the bench does. */
  readonly writes: string[] = [];

  private copy = (incident: StoredIncident | undefined) => incident && structuredClone(incident);

  /** The writes that change what the card shows, and so its version, as the adapter's `ADD version` does. */
  private static readonly versioned = new Set([
    'applyMembers',
    'completeStep',
    'change',
    'recordSilence',
    'endSilence',
    'unmuteMembers',
  ]);

  private write<T>(
    name: string,
    incidentId: string,
    allowed: (incident: StoredIncident) => boolean,
    apply: (incident: StoredIncident) => T,
  ) {
    const incident = this.incidents.get(incidentId);
    if (!incident || !allowed(incident)) return undefined;
    this.writes.push(name);
    apply(incident);
    if (MemoryIncidentRepository.versioned.has(name)) incident.version = (incident.version ?? 0) + 1;
    return structuredClone(incident);
  }

  async get(incidentId: string) {
    return this.copy(this.incidents.get(incidentId));
  }

  async forGroup(groupKey: string) {
    const incidentId = this.groups.get(groupKey);
    return incidentId ? { incidentId, incident: this.copy(this.incidents.get(incidentId)) } : undefined;
  }

  async claimGroup(groupKey: string, incidentId: string, replacing: string | undefined) {
    const current = this.groups.get(groupKey);
    if (current !== undefined && current !== replacing) return current;
    this.writes.push('claimGroup');
    this.groups.set(groupKey, incidentId);
    return incidentId;
  }

  async create(incident: StoredIncident) {
    const existing = this.incidents.get(incident.incidentId);
    if (existing) return structuredClone(existing);
    this.writes.push('create');
    this.incidents.set(incident.incidentId, structuredClone(incident));
    return incident;
  }

  async applyMembers(incidentId: string, version: number, change: MembersChange) {
    return this.write(
      'applyMembers',
      incidentId,
      (incident) => incident.version === version,
      (incident) => {
        for (const alertId of change.removed) delete incident.members[alertId];
        for (const member of change.members) incident.members[member.alertId] = structuredClone(member);
        Object.assign(incident, structuredClone(change.fields));
        for (const field of change.unset) delete incident[field];
        incident.timeline.push(...change.entries);
      },
    );
  }

  async recordNotifications(incidentId: string, sent: Record<string, string>, entries: TimelineEntry[]) {
    if (!Object.keys(sent).length) return;
    this.write(
      'recordNotifications',
      incidentId,
      () => true,
      (incident) => {
        Object.assign(incident.notifications, sent);
        incident.timeline.push(...entries);
      },
    );
  }

  async claimStep(
    incidentId: string,
    claim: { step: number; policy: string; at: string; leaseUntil: string; manual?: boolean },
  ) {
    const { step, policy, at, leaseUntil, manual } = claim;
    return this.write(
      'claimStep',
      incidentId,
      (incident) =>
        (manual ? incident.state !== 'resolved' : incident.state === 'triggered') &&
        (step === 1
          ? !incident.escalation
          : incident.escalation?.step === step - 1 && incident.escalation.pagedStep === step - 1),
      (incident) => {
        if (step === 1) incident.escalation = { policy, startedAt: at, step: 1, pagedStep: 0, done: {} };
        Object.assign(incident.escalation!, { step, leaseUntil, attempts: 1, done: {} });
      },
    );
  }

  async retakeStep(incidentId: string, step: number, lease: { now: string; until: string; maxAttempts: number }) {
    return this.write(
      'retakeStep',
      incidentId,
      ({ state, escalation }) =>
        state === 'triggered' &&
        escalation?.step === step &&
        escalation.pagedStep < step &&
        (escalation.leaseUntil ?? '') <= lease.now &&
        (escalation.attempts ?? 0) < lease.maxAttempts,
      ({ escalation }) => {
        escalation!.leaseUntil = lease.until;
        escalation!.attempts = (escalation!.attempts ?? 0) + 1;
      },
    );
  }

  async recordCalls(incidentId: string, step: number, done: Record<string, string>, entries: TimelineEntry[]) {
    if (!Object.keys(done).length && !entries.length) return;
    this.write(
      'recordCalls',
      incidentId,
      (incident) => incident.escalation?.step === step,
      (incident) => {
        Object.assign(incident.escalation!.done, done);
        incident.timeline.push(...entries);
      },
    );
  }

  async completeStep(incidentId: string, step: number, nextAt: string | undefined, entries: TimelineEntry[]) {
    return this.write(
      'completeStep',
      incidentId,
      ({ escalation }) => escalation?.step === step && escalation.pagedStep < step,
      (incident) => {
        const escalation = incident.escalation!;
        escalation.pagedStep = step;
        for (const key of ['leaseUntil', 'attempts', 'nextAt'] as const) delete escalation[key];
        if (nextAt) escalation.nextAt = nextAt;
        incident.timeline.push(...entries);
      },
    );
  }

  async releaseStep(incidentId: string, step: number, now: string, refund = false) {
    this.write(
      'releaseStep',
      incidentId,
      (incident) => incident.escalation?.step === step,
      (incident) => {
        incident.escalation!.leaseUntil = now;
        if (refund) incident.escalation!.attempts = (incident.escalation!.attempts ?? 1) - 1;
      },
    );
  }

  async unmuteMembers(incidentId: string, alertIds: string[], entry: TimelineEntry) {
    return this.write(
      'unmuteMembers',
      incidentId,
      (incident) => alertIds.some((id) => incident.members[id]?.muted),
      (incident) => {
        for (const id of alertIds) if (incident.members[id]) incident.members[id].muted = false;
        incident.timeline.push(entry);
      },
    );
  }

  async claimDelivery(incidentId: string, now: string, until: string) {
    return this.write(
      'claimDelivery',
      incidentId,
      (incident) => !incident.deliveryLeaseUntil || incident.deliveryLeaseUntil <= now,
      (incident) => void (incident.deliveryLeaseUntil = until),
    );
  }

  async finishRound(incident: StoredIncident, round: DeliveryRound, version?: number) {
    const finished = this.write(
      'finishRound',
      incident.incidentId,
      () => true,
      (stored) => {
        Object.assign(stored.notifications, round.sent);
        stored.cardVersions = { ...stored.cardVersions, ...round.versions };
        stored.deliveredAt = round.at;
        if (round.announce) stored.announcedAt ??= round.at;
        stored.timeline.push(...round.entries);
        if (version !== undefined) stored.deliveredVersion = version;
        if (round.warRoom) stored.warRoom = structuredClone(round.warRoom);
        if (round.register) stored.register = structuredClone(round.register);
        delete stored.deliveryLeaseUntil;
      },
    );
    return Boolean(finished) && (version === undefined || finished!.version === version);
  }

  async appendTimeline(incidentId: string, entries: TimelineEntry[]) {
    if (entries.length)
      this.write(
        'appendTimeline',
        incidentId,
        () => true,
        (incident) => void incident.timeline.push(...entries),
      );
  }

  private change(
    incidentId: string,
    allowed: (incident: StoredIncident) => boolean,
    apply: (incident: StoredIncident) => void,
  ): IncidentChange {
    const changed = this.write('change', incidentId, allowed, apply);
    return changed
      ? { changed: true, incident: changed }
      : { changed: false, incident: this.copy(this.incidents.get(incidentId)) };
  }

  async acknowledge(incidentId: string, by: Actor, entry: TimelineEntry) {
    return this.change(
      incidentId,
      (incident) => incident.state === 'triggered',
      (incident) => {
        Object.assign(incident, {
          state: 'acknowledged',
          acknowledgedBy: by,
          acknowledgedAt: entry.at,
          updatedAt: entry.at,
        });
        incident.timeline.push(entry);
      },
    );
  }

  async resolveByHand(incidentId: string, by: Actor, note: string | undefined, entry: TimelineEntry) {
    return this.change(
      incidentId,
      (incident) => incident.state !== 'resolved',
      (incident) => {
        Object.assign(incident, { state: 'resolved', resolvedAt: entry.at, resolvedBy: by, updatedAt: entry.at });
        if (note) incident.resolutionNote = note;
        incident.timeline.push(entry);
      },
    );
  }

  async recordSilence(incidentId: string, silence: NonNullable<StoredIncident['silence']>, entry: TimelineEntry) {
    return this.write(
      'recordSilence',
      incidentId,
      () => true,
      (incident) => {
        incident.silence = structuredClone(silence);
        incident.timeline.push(entry);
      },
    );
  }

  async endSilence(incidentId: string, silenceId: string, entry: TimelineEntry) {
    return this.write(
      'endSilence',
      incidentId,
      (incident) => incident.silence?.id === silenceId,
      (incident) => {
        delete incident.silence;
        incident.timeline.push(entry);
      },
    );
  }

  async claimReminder(incidentId: string, dueAt: string, nextAt: string, at: string) {
    return Boolean(
      this.write(
        'claimReminder',
        incidentId,
        (incident) => incident.state === 'triggered' && incident.remindAt === dueAt,
        (incident) => void Object.assign(incident, { remindAt: nextAt, remindedAt: at }),
      ),
    );
  }

  async dueTimers(now: string, limit: number) {
    return [...this.incidents.values()]
      .filter(
        ({ state, escalation, remindAt }) =>
          state === 'triggered' &&
          [escalation?.nextAt, escalation?.leaseUntil, remindAt].some((time) => time !== undefined && time <= now),
      )
      .map((incident) => incident.incidentId)
      .slice(0, limit);
  }

  async rememberNotePrompt(messageId: string, incidentId: string) {
    this.notePrompts.set(messageId, incidentId);
  }

  async incidentForNotePrompt(messageId: string) {
    return this.notePrompts.get(messageId);
  }

  async recordProposal(incidentId: string, proposal: SuggestedAction | undefined, entries: TimelineEntry[]) {
    this.write(
      proposal ? 'change' : 'recordProposal',
      incidentId,
      (incident) => !incident.proposalAsked,
      (incident) => {
        incident.proposalAsked = true;
        if (proposal) incident.proposal = structuredClone(proposal);
        incident.timeline.push(...entries);
      },
    );
  }

  readonly warRooms = new Map<string, string>();

  async rememberWarRoom(chatId: string, incidentId: string) {
    this.warRooms.set(chatId, incidentId);
  }

  async incidentForWarRoom(chatId: string) {
    return this.warRooms.get(chatId);
  }

  async recordCommander(incidentId: string, commander: Actor, entry: TimelineEntry) {
    return this.write(
      'change',
      incidentId,
      (incident) => incident.state !== 'resolved',
      (incident) => {
        incident.commander = { ...commander };
        incident.timeline.push(entry);
      },
    );
  }

  async recordDraft(incidentId: string, draft: KnowledgeDraft) {
    this.write(
      'recordDraft',
      incidentId,
      () => true,
      (incident) => void (incident.knowledgeDraft = structuredClone(draft)),
    );
  }

  async list(state: IncidentState, { limit, service, since }: { limit: number; service?: string; since?: string }) {
    return [...this.incidents.values()]
      .filter((incident) => incident.state === state && (!service || incident.service === service))
      .filter((incident) => !since || incident.updatedAt >= since)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, limit)
      .map((incident) => structuredClone(incident));
  }
}
