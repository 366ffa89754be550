import { createHash } from 'node:crypto';

/** A short, stable id derived from several parts (alert ids, Feishu idempotency keys). */
export function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
