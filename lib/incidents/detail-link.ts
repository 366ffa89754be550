import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a detail link opens: an incident's page, or an alert's, which leads to its incident. */
export type LinkedKind = 'incidents' | 'alerts';

/** Makes the signed link to an incident's or an alert's detail page. */
export type DetailLinker = (kind: LinkedKind, id: string) => string;

/** Why a link opens nothing. */
export type LinkRefusal = 'unsigned' | 'forged' | 'expired';

export interface DetailLinkKey {
  /** The HMAC key (the secret DETAIL_LINK_KEY). */
  key: string;
  /** The origin the links point at (PUBLIC_BASE_URL), without a trailing slash. */
  baseUrl: string;
  /** How long a link opens the page after it was made. */
  ttlMs: number;
}

/** The signed part: what a link opens and until when, so neither can be changed without the key. */
const signature = (key: string, kind: LinkedKind, id: string, expires: string) =>
  createHmac('sha256', key).update(`${kind}:${id}:${expires}`).digest('base64url');

/**
 * Links that open a detail page until they expire, for whoever holds them: the card is the way in, Feishu's in-app
 * browser carries no login, and a link forwarded later leaks nothing once it expired. The expiry is whole seconds
 * since the epoch.
 */
export function detailLinker(options: DetailLinkKey, now: () => number = Date.now): DetailLinker {
  const base = options.baseUrl.replace(/\/+$/, '');
  return (kind, id) => {
    const expires = String(Math.floor((now() + options.ttlMs) / 1000));
    const sig = signature(options.key, kind, id, expires);
    return `${base}/${kind}/${encodeURIComponent(id)}?exp=${expires}&sig=${sig}`;
  };
}

/**
 * Whether a request's `exp` and `sig` open `kind`/`id`: undefined when they do, otherwise why not. The signature is
 * checked before the expiry, so a forged link is told apart from an old one, and in constant time.
 */
export function refuseLink(
  key: string,
  request: { kind: LinkedKind; id: string; exp?: string; sig?: string },
  nowMs: number,
): LinkRefusal | undefined {
  const { kind, id, exp, sig } = request;
  if (!exp || !sig) return 'unsigned';
  if (!/^\d{1,12}$/.test(exp)) return 'forged';
  const expected = Buffer.from(signature(key, kind, id, exp));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  return Number(exp) * 1000 <= nowMs ? 'expired' : undefined;
}
