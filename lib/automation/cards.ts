import { button, buttonRow, describeArgs, escapeMarkdown, formatTime, markdown, mention } from '../feishu/cards.js';
import type { Messenger } from '../feishu/messenger.js';
import { stableId } from '../lambda/ids.js';
import type { ActionRun } from '../incidents/detail-page.js';
import type { Logger } from '../lambda/logger.js';
import type { ActionName } from './actions.js';
import { requesterName, type AutomationRequest, type RequestStatus, type RequestStore } from './requests.js';

/** Each action's name on its cards; an action without one does not compile. */
export const actionTitles: Record<ActionName, string> = {
  restart_service: '重启服务',
  k8s_rollout_restart: '滚动重启',
  k8s_set_image: '更新镜像',
  check_logs: '查看日志',
  http_check: '健康检查',
  diagnose_host: '主机诊断',
};

const statusView: Record<RequestStatus, { label: string; colour: string }> = {
  pending_approval: { label: '待审批', colour: 'yellow' },
  queued: { label: '排队中', colour: 'grey' },
  running: { label: '执行中', colour: 'wathet' },
  succeeded: { label: '成功', colour: 'green' },
  failed: { label: '失败', colour: 'red' },
  denied: { label: '无权限', colour: 'grey' },
  rejected: { label: '已拒绝', colour: 'grey' },
  expired: { label: '审批已过期', colour: 'grey' },
};

/** A request as the incident's detail page lists it among the actions run for the incident. */
export const actionRun = (request: AutomationRequest): ActionRun => ({
  requestId: request.requestId,
  title: `${actionTitles[request.action as ActionName] ?? request.action} ${describeArgs(request.args)}`,
  status: statusView[request.status].label,
  requester: requesterName(request.requester),
  requestedAt: request.requestedAt,
  finishedAt: request.finishedAt,
  summary: request.summary,
  outputTail: request.outputTail,
});

function seconds(from?: string, to?: string): string | undefined {
  if (!from || !to) return undefined;
  return `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} 秒`;
}

/** Plain text, never markdown: command output may contain anything. */
const plain = (content: string) => ({ tag: 'div', text: { tag: 'plain_text', content } });

/**
 * The one card that follows a request from 排队中 to 执行中 to 成功/失败 (or 待审批 / 已拒绝 / 审批已过期), updated in
 * place, with the result's summary, the output's tail and the duration.
 */
export function automationCard(request: AutomationRequest, options: { timeZone: string }): object {
  const view = statusView[request.status];
  const title = `[${view.label}] ${actionTitles[request.action as ActionName] ?? request.action}`;
  const requester =
    request.requester.kind === 'person'
      ? mention(request.requester.actor)
      : escapeMarkdown(requesterName(request.requester));
  const decidedBy = request.approval?.decidedBy;
  const decider = request.status === 'rejected' ? '拒绝人' : '审批人';
  const lines = [
    `**操作**：${escapeMarkdown(request.action)}　**环境**：${escapeMarkdown(request.environment)}`,
    `**参数**：${escapeMarkdown(describeArgs(request.args))}`,
    `**申请人**：${requester}（${formatTime(request.requestedAt, options.timeZone)}）`,
    ...(decidedBy
      ? [`**${decider}**：${mention(decidedBy)}（${formatTime(request.approval?.decidedAt, options.timeZone)}）`]
      : []),
    ...(request.status === 'pending_approval' && request.approval
      ? [`**审批截止**：${formatTime(request.approval.expiresAt, options.timeZone)}`]
      : []),
    ...(seconds(request.startedAt, request.finishedAt)
      ? [`**耗时**：${seconds(request.startedAt, request.finishedAt)}`]
      : []),
    ...(request.summary ? [`**结果**：${escapeMarkdown(request.summary)}`] : []),
    `**请求 ID**：${escapeMarkdown(request.requestId)}`,
  ];
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: { title: { tag: 'plain_text', content: title }, template: view.colour },
    body: {
      elements: [
        markdown(lines.join('\n')),
        ...(request.outputTail ? [markdown('**输出（末尾）**：'), plain(request.outputTail)] : []),
      ],
    },
  };
}

/** The card an approver gets: what, where, who asked, until when, and 批准 / 拒绝 (once decided, the result instead). */
export function approvalCard(request: AutomationRequest, options: { timeZone: string }): object {
  const card = automationCard(request, options) as { body: { elements: object[] } };
  if (request.status !== 'pending_approval') return card;
  const value = (decision: string) => ({ type: 'callback', value: { action: decision, requestId: request.requestId } });
  card.body.elements.push(
    markdown('申请人不能审批自己的请求。'),
    buttonRow([button('批准', 'primary', value('approve')), button('拒绝', 'danger', value('reject'))]),
  );
  return card;
}

export interface RequestCards {
  /** Brings every card of a request in line with its state: sends what was never sent, patches the rest. */
  show(request: AutomationRequest): Promise<void>;
}

/**
 * A request's cards: one progress card in reply to the message that asked (or in the alert's chat for a rule), and
 * one approval card per approver while approval is needed. Sends carry uuid keys, so showing twice posts nothing twice.
 */
export function requestCards(
  messenger: Messenger,
  requests: RequestStore,
  options: { timeZone: string; log: Logger },
): RequestCards {
  return {
    async show(request) {
      const card = automationCard(request, options);
      if (request.cardMessageId) await messenger.patchCard(request.cardMessageId, card);
      else if (request.messageId || request.chatId) {
        const key = stableId(request.requestId, 'progress');
        const cardMessageId = request.messageId
          ? await messenger.reply(request.messageId, { kind: 'card', card }, key)
          : await messenger.sendCard({ kind: 'chat', id: request.chatId! }, card, key);
        request.cardMessageId = cardMessageId;
        await requests.update(request.requestId, { cardMessageId });
      }
      if (!request.approval) return;
      const cards = { ...request.approval.cards };
      const approvalView = approvalCard(request, options);
      for (const approver of request.approval.approvers) {
        if (cards[approver]) await messenger.patchCard(cards[approver], approvalView);
        else if (request.status === 'pending_approval')
          cards[approver] = await messenger.sendCard(
            { kind: 'user', id: approver },
            approvalView,
            stableId(request.requestId, 'approval', approver),
          );
      }
      if (Object.keys(cards).length !== Object.keys(request.approval.cards).length) {
        request.approval.cards = cards;
        await requests.update(request.requestId, { approval: request.approval });
      }
      options.log.info('request cards shown', { requestId: request.requestId, status: request.status });
    },
  };
}
