import * as z from 'zod';

/** A Feishu user's open_id, as config files name people. */
export const feishuOpenId = z.string().regex(/^ou_[A-Za-z0-9_-]+$/, 'a Feishu open_id (ou_…)');
