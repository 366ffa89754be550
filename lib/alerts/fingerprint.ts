import { createHash } from 'node:crypto';

/**
 * The identity of an alerting condition: the same source and identifying labels always give the same 16 hex
 * characters, whichever peer or retry delivered it. Label order never matters.
 */
export function fingerprint(source: string, identity: Record<string, string>): string {
  const canonical = Object.keys(identity)
    .sort()
    .map((key) => `${key}\u0000${identity[key]}`)
    .join('\u0001');
  return createHash('sha256').update(`${source}\u0002${canonical}`).digest('hex').slice(0, 16);
}
