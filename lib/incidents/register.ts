import type { TimelineEntry } from '../alerts/repository.js';
import type { Severity } from '../alerts/severity.js';
import type { BitableFields } from '../feishu/bitable.js';
import { isRetryable } from '../feishu/messenger.js';
import { stableId } from '../lambda/ids.js';
import type { Logger } from '../lambda/logger.js';
import type { DetailLinker } from './detail-link.js';
import { audibleSeverity, incidentSeverity, type RegisterEntry, type StoredIncident } from './model.js';

/** The incident register (a Feishu Bitable table); the adapter is lib/feishu/bitable.ts. */
export interface IncidentRegister {
  /**
   * Writes the incident's row: creates it when `recordId` is unset (with `clientToken`, so a retry creates no second
   * row), else updates it. Returns the row's record id.
   */
  write(fields: BitableFields, recordId: string | undefined, clientToken: string): Promise<string>;
}

export interface RegisterDeps {
  register: IncidentRegister;
  detailLink?: DetailLinker;
  names: Map<string, string>;
  now: () => string;
  log: Logger;
}

const levels: Record<Severity, string> = { critical: 'P1 严重', warning: 'P2 警告', info: 'P3 提示' };
const states = { triggered: '处理中', acknowledged: '已确认', resolved: '已恢复' } as const;
const minutes = (from: string, to?: string) =>
  to ? Math.round((Date.parse(to) - Date.parse(from)) / 6000) / 10 : null;
const epoch = (iso?: string) => (iso ? Date.parse(iso) : null);

/**
 * The incident's row, with the field names the README lists (the table is made by hand with them): times as dates,
 * MTTA and MTTR in minutes, who leads it (the commander, else who acknowledged it), how many levels it escalated past
 * the first, the note it was resolved with, and its detail link.
 */
export function registerFields(incident: StoredIncident, deps: Pick<RegisterDeps, 'detailLink' | 'names'>) {
  const lead = incident.commander ?? incident.acknowledgedBy;
  const detail = deps.detailLink?.('incidents', incident.incidentId);
  const fields: BitableFields = {
    编号: incident.incidentId,
    标题: incident.title,
    级别: levels[audibleSeverity(incident) ?? incidentSeverity(incident)],
    状态: states[incident.state],
    服务: incident.service,
    开始时间: epoch(incident.openedAt),
    确认时间: epoch(incident.acknowledgedAt),
    恢复时间: epoch(incident.resolvedAt),
    MTTA: minutes(incident.openedAt, incident.acknowledgedAt),
    MTTR: minutes(incident.openedAt, incident.resolvedAt),
    负责人: lead ? (lead.name ?? deps.names.get(lead.openId) ?? lead.openId) : null,
    升级次数: Math.max(0, (incident.escalation?.step ?? 1) - 1),
    '根因/说明': incident.resolutionNote ?? null,
    详情链接: detail ? { link: detail, text: '查看详情' } : null,
  };
  return fields;
}

/** What a row says, without its link (re-signed every time): a row is written again only when this changes. */
const digest = (fields: BitableFields) => {
  const { 详情链接: _link, ...rest } = fields;
  return stableId(JSON.stringify(rest));
};

/**
 * The register's part of a delivery round: writes the incident's row when what it says changed since the last write
 * (opened, acknowledged, escalated, resolved, a commander or note), after the cards, so a failing register never holds
 * up an alert. A failure that may pass (Feishu's 1254291, two writes to one table at once, included) is tried again
 * by the next round; a refusal is logged and noted once on the timeline, and tried again when the row changes.
 */
export async function updateRegister(
  incident: StoredIncident,
  deps: RegisterDeps,
): Promise<{ entry?: RegisterEntry; timeline: TimelineEntry[]; retry: boolean }> {
  const fields = registerFields(incident, deps);
  const written = digest(fields);
  const known = incident.register;
  if (known?.written === written || known?.refused === written) return { timeline: [], retry: false };
  try {
    const recordId = await deps.register.write(fields, known?.recordId, stableId(incident.incidentId, 'register'));
    return { entry: { recordId, written }, timeline: [], retry: false };
  } catch (error) {
    deps.log.error('incident register not written', { incidentId: incident.incidentId, error });
    if (isRetryable(error)) return { timeline: [], retry: true };
    const timeline = [
      {
        at: deps.now(),
        event: 'register_failed',
        detail: `事件登记表写入失败：${(error as Error).message.slice(0, 200)}`,
      },
    ];
    return { entry: { ...known, refused: written }, timeline, retry: false };
  }
}
