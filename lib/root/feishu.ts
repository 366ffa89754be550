import { messengerFromSecrets } from '../feishu/client.js';
import type { Messenger } from '../feishu/messenger.js';
import { meteredMessenger } from '../feishu/metered-messenger.js';
import { FAST_RETRIES, pacedMessenger, type RetryOptions } from '../feishu/paced-messenger.js';
import { logger } from '../lambda/logger.js';
import { metrics, secrets, sendBudget } from './adapters.js';
import { env } from './env.js';

let made: Promise<Messenger> | undefined;

/**
 * The Feishu messenger over the official SDK, within Feishu's budgets and retrying what may pass as `retry` says
 * (paced-messenger.ts), every failed attempt counted (metered-messenger.ts), made once the app's credentials are in
 * the secret. Without them the call fails with what cannot work (`purpose`), so the message is retried once they are
 * filled in, not lost.
 */
export async function messenger(purpose: string, retry: RetryOptions = FAST_RETRIES): Promise<Messenger> {
  made ??= messengerFromSecrets(secrets, env().FEISHU_DOMAIN, purpose).catch((error: unknown) => {
    made = undefined;
    throw error;
  });
  const metered = meteredMessenger(await made, metrics());
  return pacedMessenger(metered, sendBudget(), logger.child({ component: 'feishu' }), retry);
}
