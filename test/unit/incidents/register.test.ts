import { describe, expect, it } from 'vitest';
import type { BitableFields } from '../../../lib/feishu/bitable.js';
import { FeishuApiError } from '../../../lib/feishu/messenger.js';
import { registerFields, updateRegister, type IncidentRegister } from '../../../lib/incidents/register.js';
import { makeIncident, makeMember, OPENED_AT } from '../fakes/incidents.js';
import { recordingLogger } from '../fakes/logger.js';

/** A register that keeps its rows, failing the next writes with `failures`. */
function register(failures: Error[] = []) {
  const writes: { fields: BitableFields; recordId?: string; clientToken: string }[] = [];
  const table: IncidentRegister = {
    async write(fields, recordId, clientToken) {
      const failure = failures.shift();
      if (failure) throw failure;
      writes.push({ fields, recordId, clientToken });
      return recordId ?? 'rec_1';
    },
  };
  const deps = {
    register: table,
    names: new Map([['ou_chen', '陈静']]),
    detailLink: (kind: string, id: string) => `https://ops.example.com/${kind}/${id}?exp=${writes.length}&sig=s`,
    now: () => OPENED_AT,
    log: recordingLogger(),
  };
  return { writes, deps };
}

const after = (minutes: number) => new Date(Date.parse(OPENED_AT) + minutes * 60_000).toISOString();

describe('the incident register', () => {
  it('has one row per incident with its times, MTTA and MTTR in minutes, lead, escalations, note and link', () => {
    const incident = makeIncident(
      {
        state: 'resolved',
        acknowledgedAt: after(4),
        acknowledgedBy: { openId: 'ou_chen' },
        resolvedAt: after(30),
        resolutionNote: '回滚了网关配置',
        escalation: { policy: 'default', startedAt: OPENED_AT, step: 2, pagedStep: 2, done: {} },
      },
      [makeMember('PaymentsDown', 'critical')],
    );
    expect(registerFields(incident, register().deps)).toEqual({
      编号: incident.incidentId,
      标题: 'PaymentsDown',
      级别: 'P1 严重',
      状态: '已恢复',
      服务: 'api',
      开始时间: Date.parse(OPENED_AT),
      确认时间: Date.parse(after(4)),
      恢复时间: Date.parse(after(30)),
      MTTA: 4,
      MTTR: 30,
      负责人: '陈静',
      升级次数: 1,
      '根因/说明': '回滚了网关配置',
      详情链接: { link: `https://ops.example.com/incidents/${incident.incidentId}?exp=0&sig=s`, text: '查看详情' },
    });
  });

  it('writes a row when the incident opens and again only when what it says changes, with one client token', async () => {
    const { writes, deps } = register();
    let incident = makeIncident();
    const opened = await updateRegister(incident, deps);
    expect(opened).toMatchObject({ entry: { recordId: 'rec_1' }, retry: false });
    incident = { ...incident, register: opened.entry };
    // A new link (every round signs one) is not a change.
    expect((await updateRegister(incident, deps)).entry).toBeUndefined();
    incident = { ...incident, state: 'acknowledged', acknowledgedAt: after(3) };
    const acked = await updateRegister(incident, deps);
    expect(writes.map((write) => write.recordId)).toEqual([undefined, 'rec_1']);
    expect(new Set(writes.map((write) => write.clientToken)).size).toBe(1);
    expect(acked.entry?.written).not.toBe(opened.entry?.written);
  });

  it('tries again when Feishu says the table is busy (1254291), and notes a refusal once without holding anything up', async () => {
    const busy = new FeishuApiError('add register row', 1254291, 'write conflict');
    const { deps } = register([busy]);
    const incident = makeIncident();
    expect(await updateRegister(incident, deps)).toEqual({ timeline: [], retry: true });
    expect((await updateRegister(incident, deps)).entry?.recordId).toBe('rec_1');

    const refused = register([new FeishuApiError('add register row', 1254302, 'no permission to edit the table')]);
    const first = await updateRegister(incident, refused.deps);
    expect(first.retry).toBe(false);
    expect(first.timeline[0]).toMatchObject({ event: 'register_failed' });
    expect(await updateRegister({ ...incident, register: first.entry }, refused.deps)).toEqual({
      timeline: [],
      retry: false,
    });
  });
});
