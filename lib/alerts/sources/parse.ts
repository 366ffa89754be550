import type { z } from 'zod';
import { badRequest, HttpError } from '../../lambda/errors.js';

/** Validates a source payload; a failure is a 400 that names every bad field. */
export function parsePayload<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw badRequest(`invalid ${what} payload`, result.error);
  return result.data;
}

/** Alerts one delivery may carry, so that even the largest is read and queued well within ingest's timeout. */
export const MAX_ALERTS_PER_DELIVERY = 1_000;

/**
 * A delivery of more alerts than that is a 413 before any of them is read; `split` tells the sender how to send
 * fewer at a time.
 */
export function capAlerts(body: unknown, split: string): void {
  const alerts = (body as { alerts?: unknown } | null | undefined)?.alerts;
  if (Array.isArray(alerts) && alerts.length > MAX_ALERTS_PER_DELIVERY) {
    const cap = MAX_ALERTS_PER_DELIVERY.toLocaleString('en-US');
    throw new HttpError(
      413,
      `alerts: ${alerts.length.toLocaleString('en-US')} in one delivery, at most ${cap}; ${split}`,
    );
  }
}
