import OpenAI from 'openai';

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
  const client = new OpenAI({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    timeout: settings.timeoutMs ?? 20_000,
    maxRetries: 1,
  });
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
