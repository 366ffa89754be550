import type { KnowledgeBase, SearchHit } from './knowledge-base.js';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * An OpenAI-compatible chat model (OpenAI, Azure OpenAI, DeepSeek, Qwen, a local server); the adapter is
 * ./openai-model.ts.
 */
export interface LanguageModel {
  name: string;
  complete(messages: ChatMessage[]): Promise<string>;
}

export interface Answer {
  /** Markdown-free text with [n] citations when a model wrote it; absent when only passages are given. */
  text?: string;
  sources: SearchHit[];
  /** Why there is no written answer (no model, or it failed), said plainly to the person who asked. */
  note?: string;
}

/** Sections handed to the model, and how much of each: enough to answer, little enough to stay fast and cheap. */
const CONTEXT_SECTIONS = 4;
const CONTEXT_CHARS = 1_500;

const SYSTEM_PROMPT = [
  '你是运维值班助手，回答值班工程师的问题。',
  '只根据下面编号的资料回答；资料里没有的内容，直接说资料中没有，不要编造命令或参数。',
  '用提问所用的语言回答（中文问题用中文，英文问题用英文），先给结论，再给可执行的步骤，简洁。',
  '每个事实或步骤后用 [n] 标注来自哪条资料，n 是资料编号。',
].join('\n');

export function buildMessages(question: string, sources: SearchHit[], texts: string[]): ChatMessage[] {
  const material = sources
    .map((hit, i) => {
      const section = hit.section !== hit.title ? ` / ${hit.section}` : '';
      return `[${i + 1}] ${hit.title}${section}\n${texts[i]!.slice(0, CONTEXT_CHARS)}`;
    })
    .join('\n\n');
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `资料：\n\n${material}\n\n问题：${question}` },
  ];
}

/** Keeps only citations that point at a source the model was given: [7] of four sources is dropped, not shown. */
export function cleanCitations(text: string, sourceCount: number): string {
  return text.replace(/\[(\d+)\]/g, (citation, n: string) =>
    Number(n) >= 1 && Number(n) <= sourceCount ? citation : '',
  );
}

/**
 * Answers a question from the knowledge base: the best sections, then, when a model is configured, a written answer
 * that cites them. Without a model, or when it fails (after the adapter's timeout and one retry), the answer is the
 * passages themselves, and the note says so.
 */
export async function answerFrom(
  question: string,
  kb: KnowledgeBase,
  model: LanguageModel | undefined,
): Promise<Answer> {
  const sources = await kb.search(question, CONTEXT_SECTIONS);
  if (!sources.length) return { sources };
  if (!model) return { sources, note: '未配置大模型，以下是处理手册中最相关的段落' };
  try {
    const texts = await Promise.all(sources.map(async (hit) => (await kb.sectionText(hit.sectionId)) ?? hit.snippet));
    const text = cleanCitations((await model.complete(buildMessages(question, sources, texts))).trim(), sources.length);
    if (!text) return { sources, note: '大模型没有给出回答，以下是处理手册中最相关的段落' };
    return { text, sources };
  } catch (error) {
    return {
      sources,
      note: `大模型调用失败（${(error as Error).message.slice(0, 120)}），以下是处理手册中最相关的段落`,
    };
  }
}
