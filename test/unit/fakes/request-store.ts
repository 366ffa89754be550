import type { AutomationRequest, RequestStatus, RequestStore } from '../../../lib/automation/requests.js';

/** The DynamoDB request store's conditions, in memory. */
export class MemoryRequestStore implements RequestStore {
  readonly requests = new Map<string, AutomationRequest>();
  readonly locks = new Map<string, { requestId: string; until: number }>();

  async create(request: AutomationRequest) {
    const existing = this.requests.get(request.requestId);
    if (existing) return { request: structuredClone(existing), created: false };
    this.requests.set(request.requestId, structuredClone(request));
    return { request, created: true };
  }
  async get(requestId: string) {
    const request = this.requests.get(requestId);
    return request && structuredClone(request);
  }
  async transition(
    requestId: string,
    from: RequestStatus | RequestStatus[],
    to: RequestStatus,
    fields: Partial<AutomationRequest> = {},
  ) {
    const request = this.requests.get(requestId);
    if (!request || !(Array.isArray(from) ? from : [from]).includes(request.status)) return undefined;
    Object.assign(request, structuredClone(fields), { status: to });
    return structuredClone(request);
  }
  async update(requestId: string, fields: Partial<AutomationRequest>) {
    const request = this.requests.get(requestId);
    if (!request) throw new Error(`no request ${requestId}`);
    Object.assign(request, structuredClone(fields));
  }
  async lockTarget(target: string, requestId: string, now: number, until: number) {
    const lock = this.locks.get(target);
    if (lock && lock.until >= now && lock.requestId !== requestId) return false;
    this.locks.set(target, { requestId, until });
    return true;
  }
  async unlockTarget(target: string, requestId: string) {
    if (this.locks.get(target)?.requestId === requestId) this.locks.delete(target);
  }
}
