import { detailLinker, type DetailLinkKey, type DetailLinker } from '../incidents/detail-link.js';
import { logger } from '../lambda/logger.js';
import { secrets } from './adapters.js';
import { env } from './env.js';

/** Shorter keys are guessable in principle: such a key is refused, as if none were set. */
const MIN_KEY_CHARS = 32;

let warned = false;

/**
 * The key and origin of detail links (the secret DETAIL_LINK_KEY, PUBLIC_BASE_URL), or undefined when either is
 * missing or the key is too short: cards then link to the alert's source instead, and the page answers 503. Said once
 * per container in the log, not on every card.
 */
export async function detailLinkKey(): Promise<DetailLinkKey | undefined> {
  const { DETAIL_LINK_KEY } = await secrets();
  const { PUBLIC_BASE_URL, DETAIL_LINK_TTL_HOURS } = env();
  const key = typeof DETAIL_LINK_KEY === 'string' ? DETAIL_LINK_KEY : '';
  if (key.length >= MIN_KEY_CHARS && PUBLIC_BASE_URL) {
    return { key, baseUrl: PUBLIC_BASE_URL, ttlMs: DETAIL_LINK_TTL_HOURS * 3600_000 };
  }
  if (!warned) {
    warned = true;
    logger.warn('detail links are off: set PUBLIC_BASE_URL and the secret DETAIL_LINK_KEY (32 characters or more)', {
      publicBaseUrl: Boolean(PUBLIC_BASE_URL),
      keyCharacters: key.length,
    });
  }
  return undefined;
}

/** The signer of the cards' 查看详情 links, when detail links are configured. */
export async function detailLinks(): Promise<DetailLinker | undefined> {
  const key = await detailLinkKey();
  return key && detailLinker(key);
}
