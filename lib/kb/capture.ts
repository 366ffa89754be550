import { occurrences, type KnowledgeDraft, type StoredAlert } from '../alerts/repository.js';
import type { LanguageModel } from './answer.js';

const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '-');

/**
 * Turns a resolved alert and the resolver's note into a runbook draft: what fired, its timeline, what was done.
 * With a model configured, a short "经验" section distils it (and its failure only leaves that section out).
 */
export async function draftFromIncident(
  stored: StoredAlert,
  note: string,
  model?: LanguageModel,
): Promise<KnowledgeDraft> {
  const { alert } = stored;
  const facts = [
    `- 告警：${alert.name}（${stored.severity}）`,
    `- 服务：${alert.service}${alert.host ? `，主机：${alert.host}` : ''}`,
    `- 摘要：${alert.summary}`,
    `- 发生：${when(stored.firstSeenAt)} 至 ${when(stored.resolvedAt)}，共 ${occurrences(stored)} 次`,
  ];
  const timeline = stored.timeline
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
    id: `incident-${stored.alertId}`,
    title: `${alert.name}（${alert.service}）处理记录`,
    body,
    tags: [alert.service, 'incident'],
  };
}
