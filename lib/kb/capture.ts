import type { KnowledgeDraft } from '../alerts/repository.js';
import type { StoredIncident } from '../incidents/model.js';
import type { LanguageModel } from './answer.js';

const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '-');

/**
 * Turns a resolved incident and the resolver's note into a runbook draft: what fired, its timeline, what was done.
 * With a model configured, a short "经验" section distils it (and its failure only leaves that section out).
 */
export async function draftFromIncident(
  incident: StoredIncident,
  note: string,
  model?: LanguageModel,
): Promise<KnowledgeDraft> {
  const members = Object.values(incident.members);
  const first = members[0];
  const hosts = [...new Set(members.map((member) => member.labels.host).filter(Boolean))].slice(0, 5);
  const names = [...new Set(members.map((member) => member.name))].slice(0, 5);
  const facts = [
    `- 告警：${names.join('、')}（${incident.firing + incident.resolved} 条）`,
    `- 服务：${incident.service}${hosts.length ? `，主机：${hosts.join('、')}` : ''}`,
    `- 摘要：${first?.summary ?? incident.title}`,
    `- 发生：${when(incident.openedAt)} 至 ${when(incident.resolvedAt)}`,
  ];
  const timeline = incident.timeline
    .slice(-15)
    .map((entry) => `- ${when(entry.at)} ${entry.event}${entry.detail ? `：${entry.detail}` : ''}`);
  let lesson = '';
  if (model) {
    try {
      lesson = (
        await model.complete([
          {
            role: 'system',
            content:
              '你是运维值班助手。根据事故记录，用不超过 5 条要点写出“下次遇到同样告警时该怎么做”，只用记录里有的信息。',
          },
          { role: 'user', content: [...facts, '', '处理说明：', note, '', '时间线：', ...timeline].join('\n') },
        ])
      ).trim();
    } catch {
      lesson = '';
    }
  }
  const body = [
    '## 发生了什么',
    '',
    ...facts,
    '',
    '## 处理过程',
    '',
    note,
    '',
    ...(lesson ? ['## 经验', '', lesson, ''] : []),
    '## 时间线',
    '',
    ...timeline,
    '',
  ].join('\n');
  return {
    id: `incident-${incident.incidentId}`,
    title: `${incident.title}（${incident.service}）处理记录`,
    body,
    tags: [incident.service, 'incident'],
  };
}
