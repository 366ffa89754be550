import { openAiClient } from './openai-model.js';

/** Text → vectors, for hybrid (lexical + k-NN) search. The adapter is any OpenAI-compatible embeddings endpoint. */
export interface Embedder {
  dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

export function openAiEmbedder(settings: {
  baseURL: string;
  apiKey: string;
  model: string;
  dimensions: number;
  timeoutMs?: number;
}): Embedder {
  const client = openAiClient(settings);
  return {
    dimensions: settings.dimensions,
    async embed(texts) {
      // Floats, not the SDK's default base64: not every OpenAI-compatible server speaks base64.
      const response = await client.embeddings.create({
        model: settings.model,
        input: texts,
        encoding_format: 'float',
      });
      const vectors = [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
      for (const vector of vectors) {
        if (vector.length !== settings.dimensions)
          throw new Error(`embedding has ${vector.length} dimensions, the index expects ${settings.dimensions}`);
      }
      return vectors;
    },
  };
}
