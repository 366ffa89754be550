import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares digests, so neither the token's content nor its length leaks through timing. */
export function tokenMatches(presented: string, accepted: string[]): boolean {
  const presentedDigest = digest(presented);
  return accepted.reduce((found, token) => timingSafeEqual(presentedDigest, digest(token)) || found, false);
}

/**
 * `Authorization: Bearer <token>`, or basic auth whose password is the token (Alertmanager's http_config offers both).
 */
function presentedToken(headers: Record<string, string>): string | undefined {
  const header = headers.authorization;
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

/** The API's bearer-token check, for every HTTP route that is not Feishu's: 401 with what was wrong. */
export function requireToken(headers: Record<string, string>, accepted: string[]): void {
  const token = presentedToken(headers);
  if (!token) throw new HttpError(401, 'missing credentials: send Authorization: Bearer <token>');
  if (!tokenMatches(token, accepted)) throw new HttpError(401, 'invalid token');
}
