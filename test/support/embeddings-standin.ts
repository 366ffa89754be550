import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** FNV-1a, 32 bits: a cheap, stable hash to spread features over the buckets. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * A stand-in for an OpenAI-compatible embeddings endpoint (`POST /v1/embeddings`) on loopback: each text becomes a
 * hashed bag of its words and their character trigrams (log-weighted counts in `dimensions` buckets). It is not a
 * language model and knows no meaning: texts are near when they share words or parts of words (`replica`,
 * `replication`). It lets hybrid search be measured end to end, through the project's own embeddings adapter.
 */
export class EmbeddingsStandin {
  private server?: Server;
  requests = 0;
  constructor(readonly dimensions = 256) {}

  vector(text: string): number[] {
    const counts = new Float64Array(this.dimensions);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const padded = `#${word}#`;
      const features = [
        word,
        ...Array.from({ length: Math.max(0, padded.length - 2) }, (_, i) => padded.slice(i, i + 3)),
      ];
      for (const feature of features) counts[fnv1a(feature) % this.dimensions]! += 1;
    }
    return Array.from(counts, (count) => Math.log1p(count));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
          res.writeHead(404).end();
          return;
        }
        this.requests++;
        const { input, model } = JSON.parse(body) as { input: string | string[]; model: string };
        const texts = Array.isArray(input) ? input : [input];
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            object: 'list',
            model,
            data: texts.map((text, index) => ({ object: 'embedding', index, embedding: this.vector(text) })),
            usage: { prompt_tokens: 0, total_tokens: 0 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
