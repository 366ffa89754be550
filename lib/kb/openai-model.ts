import OpenAI from 'openai';
import type { LanguageModel } from './answer.js';

export interface ModelSettings {
  /**
   * Any OpenAI-compatible endpoint: https://api.openai.com/v1, https://api.deepseek.com, DashScope's compatible mode, a
   * local server.
   */
  baseURL: string;
  model: string;
  apiKey: string;
  timeoutMs?: number;
}

/** The chat model over the `openai` package: a timeout per call and one retry, low temperature for runbook answers. */
export function openAiModel(settings: ModelSettings): LanguageModel {
  const client = new OpenAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    timeout: settings.timeoutMs ?? 20_000,
    maxRetries: 1,
  });
  return {
    name: settings.model,
    async complete(messages) {
      const completion = await client.chat.completions.create({ model: settings.model, messages, temperature: 0.2 });
      return completion.choices[0]?.message?.content ?? '';
    },
  };
}
