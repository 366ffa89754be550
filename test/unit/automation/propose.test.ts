import { describe, expect, it } from 'vitest';
import { proposeAction } from '../../../lib/automation/propose.js';
import type { ChatMessage, LanguageModel } from '../../../lib/kb/answer.js';
import { incidentCard } from '../../../lib/incidents/card.js';
import { makeIncident, makeMember } from '../fakes/incidents.js';
import { workerAround } from '../fakes/worker.js';

/** A model that answers `answer` and keeps what it was asked. */
function model(answer: string | Error) {
  const asked: ChatMessage[][] = [];
  const fake: LanguageModel = {
    name: 'fake',
    async complete(messages) {
      asked.push(messages);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { fake, asked };
}

const incident = makeIncident({ title: 'NginxDown' }, [
  makeMember('NginxDown', 'critical', { labels: { host: 'web-01' }, summary: 'nginx 不响应' }),
]);

describe("a model's proposed action", () => {
  it('is one registry action whose arguments pass its schema and name a known host, with its reason', async () => {
    const { fake, asked } = model(
      '好的：```json\n{"action":"restart_service","args":{"host":"web-01","unit":"nginx"},"reason":"nginx 进程不响应"}\n```',
    );
    await expect(proposeAction(fake, incident, ['web-01'])).resolves.toEqual({
      action: 'restart_service',
      args: { host: 'web-01', unit: 'nginx' },
      title: '重启服务',
      by: 'model',
      reason: 'nginx 进程不响应',
    });
    expect(asked[0]![0]!.content).toContain('restart_service');
    expect(asked[0]![1]!.content).toContain('nginx 不响应');
  });

  it('is dropped when it is not in the registry, fails its schema, names an unknown host, or is not JSON', async () => {
    for (const answer of [
      '{"action":"drop_database","args":{}}',
      '{"action":"restart_service","args":{"host":"web-01","unit":"nginx; reboot"}}',
      '{"action":"restart_service","args":{"host":"db-9","unit":"nginx"}}',
      '{"action":null}',
      '我建议重启 nginx',
    ])
      await expect(proposeAction(model(answer).fake, incident, ['web-01'])).resolves.toBeUndefined();
  });

  it('is asked for once per incident after its cards go out, and its card then offers it', async () => {
    const { fake, asked } = model('{"action":"diagnose_host","args":{"host":"web-01"},"reason":"先看主机"}');
    const w = workerAround(incident, { start: Date.parse('2026-12-01T02:00:00Z') });
    w.deps.proposeAction = (current) => proposeAction(fake, current, ['web-01']);
    await w.wake();
    await w.wake();
    expect(asked).toHaveLength(1);
    expect(w.current().proposal).toMatchObject({ action: 'diagnose_host', by: 'model' });
    const card = JSON.stringify(incidentCard(w.current(), { timeZone: 'Asia/Shanghai', now: w.deps.now() }));
    expect(card).toContain('建议操作**：主机诊断 host=web-01（模型建议：先看主机');
    expect(card).toContain('执行建议操作');
  });

  it('that fails is noted as asked and not asked again: a proposal is a help, not a duty', async () => {
    const { fake, asked } = model(new Error('connection refused'));
    const w = workerAround(incident, { start: Date.parse('2026-12-01T02:00:00Z') });
    w.deps.proposeAction = (current) => proposeAction(fake, current, ['web-01']);
    await w.wake();
    await w.wake();
    expect(asked).toHaveLength(1);
    expect(w.current()).toMatchObject({ proposalAsked: true });
    expect(w.current().proposal).toBeUndefined();
  });
});
