import * as z from 'zod';
import { button, buttonRow, escapeMarkdown, markdown, noticeCard } from '../../feishu/cards.js';
import type { KnowledgeDraft } from '../../alerts/repository.js';
import type { OutgoingMessage } from '../../feishu/messenger.js';
import { answerFrom, type LanguageModel } from '../../kb/answer.js';
import type { KnowledgeBase, SearchHit } from '../../kb/knowledge-base.js';
import type { ChatopsDeps, Command } from '../command.js';
import { parseArgs } from '../usage.js';

/** How many sections an answer shows. */
const PASSAGES = 3;

/** A snippet's `<em>` marks as card bold, everything else escaped. */
const cardSnippet = (snippet: string) =>
  snippet
    .split(/(<em>.*?<\/em>)/)
    .map((part) => {
      const marked = /^<em>(.*)<\/em>$/.exec(part);
      const text = (marked ? marked[1]! : part).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      return marked ? `**${escapeMarkdown(text)}**` : escapeMarkdown(text);
    })
    .join('');

const isUrl = (source: string) => /^https?:\/\/\S+$/.test(source);

function sourceLine(hit: SearchHit, i: number): string {
  const section = hit.section !== hit.title ? ` · ${escapeMarkdown(hit.section)}` : '';
  const source = isUrl(hit.source) ? `[${escapeMarkdown(hit.source)}](${hit.source})` : escapeMarkdown(hit.source);
  return `[${i + 1}] ${escapeMarkdown(hit.title)}${section} — ${source}`;
}

/**
 * The answer card: the model's answer with its [n] citations and the numbered sources under it; or, without a model
 * (or when it failed), the best passages with the note saying why.
 */
export function answerCard(question: string, answer: { text?: string; sources: SearchHit[]; note?: string }): object {
  const title = `知识库：${question.slice(0, 60)}`;
  if (answer.text)
    return noticeCard(
      title,
      [
        escapeMarkdown(answer.text).replace(/&#91;(\d+)&#93;/g, '[$1]'),
        '',
        '**来源**',
        ...answer.sources.map(sourceLine),
      ],
      'blue',
    );
  const passages = answer.sources
    .slice(0, PASSAGES)
    .map((hit, i) => `**${sourceLine(hit, i)}**\n${cardSnippet(hit.snippet)}`);
  return noticeCard(title, [`${answer.note ?? '以下是处理手册中最相关的段落'}：`, '', ...passages], 'blue');
}

/** Answers a question from the knowledge base: the command `/kb`, and any plain text sent to the bot. */
export async function answerQuestion(
  question: string,
  knowledge: KnowledgeBase | undefined,
  model?: LanguageModel,
): Promise<OutgoingMessage> {
  if (!knowledge) return { kind: 'text', text: '知识库未配置：请联系平台管理员。可以输入 /help 查看可用命令。' };
  const answer = await answerFrom(question, knowledge, model);
  if (!answer.sources.length)
    return {
      kind: 'text',
      text: `知识库里没有找到与「${question.slice(0, 60)}」相关的内容。换个说法试试，或用 /help 查看命令。`,
    };
  return { kind: 'card', card: answerCard(question, answer) };
}

const kbUsage = '/kb <问题>';
export const kb: Command = {
  name: 'kb',
  usage: [kbUsage],
  summary: '从团队的处理手册中找答案（直接发文字给机器人也可以）',
  example: '/kb MySQL 主从延迟怎么处理',
  async run({ args }, deps: ChatopsDeps) {
    const words = parseArgs(z.array(z.string()).min(1), args, kbUsage);
    return answerQuestion(words.join(' '), deps.knowledge, deps.model);
  },
};

/** The incident draft in chat: a preview and 保存到知识库, or, once saved, where it went. */
export function draftCard(incidentId: string, draft: KnowledgeDraft): object {
  const preview = draft.body.length > 2500 ? `${draft.body.slice(0, 2500)}…` : draft.body;
  const card = noticeCard(
    `处理记录草稿：${draft.title}`,
    [escapeMarkdown(preview)],
    draft.savedBy ? 'green' : 'wathet',
  ) as { body: { elements: object[] } };
  card.body.elements.push(
    draft.savedBy
      ? markdown(`已保存到知识库（文章 ${escapeMarkdown(draft.id)}），操作人 <at id=${draft.savedBy}></at>`)
      : buttonRow([button('保存到知识库', 'primary', { type: 'callback', value: { action: 'save_kb', incidentId } })]),
  );
  return card;
}
