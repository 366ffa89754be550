import type { RelatedKnowledge } from '../alerts/repository.js';
import type { ChatMessage, LanguageModel } from '../kb/answer.js';
import type { StoredIncident } from '../incidents/model.js';
import { actions, validateRequest, type ActionName } from './actions.js';
import { actionTitles } from './cards.js';

/** What the model is told of an incident: enough to choose, bounded so a large group costs a small prompt. */
const MEMBERS_SHOWN = 5;

/** The registry as the model reads it: each action's name, what it does, and the arguments it takes. */
const registry = () =>
  actions
    .map((action) => {
      const shape = (action.args as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      return `- ${action.name}：${action.description}（参数：${Object.keys(shape).join(', ') || '无'}）`;
    })
    .join('\n');

function promptFor(incident: StoredIncident, hosts: string[]): ChatMessage[] {
  const members = Object.values(incident.members)
    .slice(0, MEMBERS_SHOWN)
    .map((member) => {
      const labels = Object.entries(member.labels).map(([key, value]) => `${key}=${value}`);
      return `- ${member.name}：${member.summary}${labels.length ? `（${labels.join(', ')}）` : ''}`;
    });
  return [
    {
      role: 'system',
      content:
        '你是值班运维助手。根据告警，从下列安全操作中最多选一个对处理最有帮助的，参数只能用告警里出现的值和已登记的主机。' +
        '只输出一个 JSON 对象，不要其他文字：{"action": "操作名", "args": {…}, "reason": "一句中文理由"}；' +
        '没有合适的操作时输出 {"action": null}。\n\n可用操作：\n' +
        registry() +
        `\n\n已登记的主机：${hosts.slice(0, 50).join(', ') || '无'}`,
    },
    {
      role: 'user',
      content: [
        `事件：${incident.title}（服务 ${incident.service}，${incident.firing} 条触发中）`,
        '告警：',
        ...members,
      ].join('\n'),
    },
  ];
}

/** The first JSON object in a model's answer (models wrap it in prose or code fences however they are asked). */
function jsonIn(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

/**
 * One action from the registry that the model proposes for an incident, with its reason: shown on the card as a
 * suggestion, never run by itself. It is dropped unless its action is in the registry and its arguments pass that
 * action's schema, exactly as if typed in chat (a host must also be one the inventory knows); whoever presses 执行
 * then goes through the whole gate.
 */
export async function proposeAction(
  model: LanguageModel,
  incident: StoredIncident,
  hosts: string[],
): Promise<RelatedKnowledge['suggested']> {
  const answer = jsonIn(await model.complete(promptFor(incident, hosts))) as
    { action?: unknown; args?: unknown; reason?: unknown } | undefined;
  if (!answer || typeof answer.action !== 'string') return undefined;
  const valid = validateRequest(answer.action, answer.args ?? {});
  if (!valid.ok) return undefined;
  const host = valid.args.host;
  if (typeof host === 'string' && !hosts.includes(host)) return undefined;
  const reason = typeof answer.reason === 'string' ? answer.reason.slice(0, 200) : undefined;
  return {
    action: valid.action.name,
    args: valid.args,
    title: actionTitles[valid.action.name as ActionName] ?? valid.action.name,
    by: 'model',
    ...(reason ? { reason } : {}),
  };
}
