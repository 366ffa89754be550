/** An answer of the chat completions API as the `openai` client reads it: one choice, whose message is `content`. */
export const chatCompletion = (model: string, content: string) => ({
  id: 'c1',
  object: 'chat.completion',
  created: 0,
  model,
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
});
