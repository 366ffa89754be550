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

/** A client of an OpenAI-compatible endpoint: a timeout per call (20 s unless set) and one retry. */
export const openAiClient = (settings: Omit<ModelSettings, 'model'>) =>
  new OpenAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    timeout: settings.timeoutMs ?? 20_000,
    maxRetries: 1,
  });

/** The chat model over the `openai` package, at a low temperature for runbook answers. */
export function openAiModel(settings: ModelSettings): LanguageModel {
  const client = openAiClient(settings);
  return {
    name: settings.model,
    async complete(messages) {
      const completion = await client.chat.completions.create({ model: settings.model, messages, temperature: 0.2 });
      return completion.choices[0]?.message?.content ?? '';
    },
  };
}
