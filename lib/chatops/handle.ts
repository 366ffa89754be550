import { ExpectedError } from '../lambda/errors.js';
import { stableId } from '../lambda/ids.js';
import type { Actor } from '../alerts/repository.js';
import { botAddedSchema, messageReceivedSchema, type MessageReceived } from '../feishu/events.js';
import type { OutgoingMessage } from '../feishu/messenger.js';
import { closestCommand, messageText, parseCommandLine } from './parser.js';
import type { ChatopsDeps } from './command.js';
import { aliases, commandNames, findCommand } from './registry.js';
import { submit } from './commands/automation.js';
import { answerQuestion, draftCard } from './commands/kb.js';
import { suggestionOf } from '../incidents/model.js';
import { resolveMembersByHand } from './incident-actions.js';
import { draftFromIncident } from '../kb/capture.js';
import { commandFailureReply } from './replies.js';
import type { ChatopsTask } from './tasks.js';

/** Names come from the on-call roster where the person is on it; otherwise Feishu renders the mention. */
function actorFor(openId: string, deps: ChatopsDeps): Actor {
  for (const team of deps.config.teams.values()) {
    const member = team.rotation.members.find((person) => person.openId === openId);
    if (member) return { openId, name: member.name };
  }
  return { openId };
}

/**
 * Runs one task from the commands queue. Safe to run twice: replies carry Feishu uuid keys, changes are conditional.
 */
export async function handleTask(task: ChatopsTask, attempt: number, deps: ChatopsDeps): Promise<void> {
  if (task.kind === 'incident_changed') return incidentChanged(task, deps);
  if (task.kind === 'save_knowledge') return saveKnowledge(task, deps);
  if (task.kind === 'ask_note') return askForNote(task, deps);
  if (task.kind === 'card_request') return requestFromCard(task, deps);
  if (task.eventType === 'im.chat.member.bot.added_v1') {
    const added = botAddedSchema.safeParse(task.event);
    if (!added.success) return deps.log.warn('malformed bot-added event', { eventId: task.eventId });
    const help = await findCommand('help')!.run(
      { actor: { openId: '' }, messageId: '', chatId: added.data.chat_id, args: [] },
      deps,
    );
    if (help?.kind === 'card')
      await deps.messenger.sendCard(
        { kind: 'chat', id: added.data.chat_id },
        help.card,
        stableId('welcome', task.eventId),
      );
    return;
  }
  const parsed = messageReceivedSchema.safeParse(task.event);
  if (!parsed.success) return deps.log.warn('malformed message event', { eventId: task.eventId });
  await handleMessage(parsed.data, attempt, deps);
}

/**
 * After a button changed an incident: its other cards are brought up to date, and an incident resolved by hand
 * closes its firing alerts in the name of who clicked.
 */
async function incidentChanged(task: Extract<ChatopsTask, { kind: 'incident_changed' }>, deps: ChatopsDeps) {
  const incident = await deps.incidents.get(task.incidentId);
  if (!incident) return;
  if (task.reason === 'resolve' && incident.resolvedBy) {
    const by = actorFor(task.by, deps);
    await resolveMembersByHand(incident, by, deps.repo, incident.resolvedAt ?? new Date(deps.now()).toISOString());
  }
  await deps.syncCards(incident);
}

/**
 * An action asked for from an incident card, by who clicked, through the same gate as chat (inventory, RBAC, approval,
 * audit): 诊断 is diagnose_host on the incident's host, 执行建议操作 its runbook's suggestion as the card showed it.
 * Its card, or why it was refused, is the answer under the clicked card; it belongs to the incident (its result goes
 * on the timeline). The click's event id names the request, so a redelivered task makes no second one.
 */
async function requestFromCard(task: Extract<ChatopsTask, { kind: 'card_request' }>, deps: ChatopsDeps) {
  const incident = await deps.incidents.get(task.incidentId);
  const wanted =
    task.request === 'diagnose'
      ? incident?.diagnoseHost && { action: 'diagnose_host', args: { host: incident.diagnoseHost } }
      : incident && suggestionOf(incident);
  if (!wanted) return deps.log.warn('card request for an incident without one', { ...task });
  const invocation = {
    actor: actorFor(task.by, deps),
    messageId: task.messageId ?? '',
    chatId: task.chatId ?? '',
    args: [],
  };
  const click = { incidentId: task.incidentId, eventId: task.eventId };
  const refusal = await submit(invocation, deps, wanted.action, wanted.args, click);
  if (refusal && task.messageId)
    await deps.messenger.reply(task.messageId, refusal, stableId('card-request-refused', task.eventId));
}

/** 保存到知识库: the incident's draft becomes an article (saving twice keeps one), and the card says where it went. */
async function saveKnowledge(task: Extract<ChatopsTask, { kind: 'save_knowledge' }>, deps: ChatopsDeps): Promise<void> {
  const incident = await deps.incidents.get(task.incidentId);
  const draft = incident?.knowledgeDraft;
  if (!draft) return deps.log.warn('no knowledge draft to save', { incidentId: task.incidentId });
  if (!deps.knowledge)
    throw new ExpectedError(
      '知识库未配置，草稿无法保存',
      'the knowledge base is not configured: the draft cannot be saved',
    );
  const saved = draft.savedBy ? draft : { ...draft, savedBy: task.by };
  if (!draft.savedBy) {
    await deps.knowledge.upsert({
      id: draft.id,
      title: draft.title,
      body: draft.body,
      tags: draft.tags,
      source: `incident:${task.incidentId}`,
    });
    await deps.incidents.recordDraft(task.incidentId, saved);
    const fields = { incidentId: task.incidentId, articleId: draft.id, by: task.by };
    deps.log.info('incident saved to the knowledge base', fields);
  }
  if (task.messageId) await deps.messenger.patchCard(task.messageId, draftCard(task.incidentId, saved));
}

/** After a resolve from the card: a reply under the incident's chat cards asks for the note, and is remembered. */
async function askForNote(task: Extract<ChatopsTask, { kind: 'ask_note' }>, deps: ChatopsDeps): Promise<void> {
  const incident = await deps.incidents.get(task.incidentId);
  if (!incident || !deps.knowledge) return;
  const text =
    `<at user_id="${task.by}"></at> 已解决事件 ${incident.incidentId}。` +
    '回复本条消息并 @我，写下处理说明（做了什么、原因是什么），我会整理成知识库草稿。';
  for (const [target, messageId] of Object.entries(incident.notifications)) {
    if (!target.startsWith('chat:')) continue;
    const key = stableId('ask-note', incident.incidentId, target);
    const prompt = await deps.messenger.reply(messageId, { kind: 'text', text }, key);
    await deps.incidents.rememberNotePrompt(prompt, incident.incidentId);
  }
}

/** A reply to a note prompt: the note of that incident, made into a knowledge draft like `/incident resolve`. */
async function noteFromReply(
  message: MessageReceived['message'],
  note: string,
  deps: ChatopsDeps,
): Promise<OutgoingMessage | undefined> {
  const promptId = message.parent_id ?? message.root_id;
  const incidentId = promptId ? await deps.incidents.incidentForNotePrompt(promptId) : undefined;
  const incident = incidentId ? await deps.incidents.get(incidentId) : undefined;
  if (!incident || !deps.knowledge) return undefined;
  const draft = await draftFromIncident(incident, note, deps.model);
  await deps.incidents.recordDraft(incident.incidentId, draft);
  return { kind: 'card', card: draftCard(incident.incidentId, draft) };
}

async function handleMessage({ sender, message }: MessageReceived, attempt: number, deps: ChatopsDeps): Promise<void> {
  // Other bots (and this one) also post in groups: answering them could loop.
  if (sender.sender_type && sender.sender_type !== 'user') return;
  const openId = sender.sender_id.open_id;
  if (!openId) return;
  const mentions = message.mentions ?? [];
  const botOpenId = await deps.messenger.botOpenId();
  if (message.chat_type !== 'p2p' && !mentions.some((mention) => mention.id?.open_id === botOpenId)) return;

  const reply = (answer: OutgoingMessage) =>
    deps.messenger.reply(message.message_id, answer, stableId('reply', message.message_id));
  const content = messageText(message.content, message.message_type, mentions, botOpenId);
  if (content === undefined || !content.trim()) {
    await reply({ kind: 'text', text: '我只能读文字消息。输入 /help 查看可用命令。' });
    return;
  }
  const line = parseCommandLine(content);
  const log = deps.log.child({ messageId: message.message_id, chatId: message.chat_id, command: line?.command });
  const draft =
    !line && (message.parent_id || message.root_id) ? await noteFromReply(message, content, deps) : undefined;
  if (draft) {
    await reply(draft);
    return;
  }
  if (!line) {
    await reply(await answerQuestion(content, deps.knowledge, deps.model));
    return;
  }
  const alias = aliases[line.command];
  const command = findCommand(alias?.command ?? line.command);
  if (!command) {
    const suggestion = closestCommand(line.command, [...commandNames, ...Object.keys(aliases)]);
    await reply({
      kind: 'text',
      text: `没有 /${line.command} 这个命令。${suggestion ? `你是想用 /${suggestion} 吗？` : ''}输入 /help 查看全部命令。`,
    });
    return;
  }
  const invocation = {
    actor: actorFor(openId, deps),
    messageId: message.message_id,
    chatId: message.chat_id,
    args: [...(alias?.prefix ?? []), ...line.args],
    mentioned: mentions
      .filter((mention) => mention.id?.open_id && mention.id.open_id !== botOpenId)
      .map((mention) => ({ openId: mention.id!.open_id!, name: mention.name ?? mention.id!.open_id! })),
  };
  let answer: OutgoingMessage | undefined;
  try {
    answer = await command.run(invocation, deps);
    log.info('command run', { actor: openId });
  } catch (error) {
    answer = commandFailureReply(error, command.name, attempt, log);
    if (!answer) throw error;
  }
  if (answer) await reply(answer);
}
