import { tokenMatches } from '../lambda/auth.js';
import { HttpError, badRequest } from '../lambda/errors.js';
import { parseJson } from '../lambda/http.js';
import { encryptedBodySchema, eventEnvelopeSchema, urlVerificationSchema, type EventEnvelope } from './events.js';
import { decryptEvent, verifyEventSignature } from './webhook-crypto.js';

export interface WebhookSecrets {
  /** The app's Verification Token: every event and challenge carries it. */
  verificationToken: string;
  /** The app's Encrypt Key; when set, bodies are encrypted and events signed. */
  encryptKey?: string;
}

export type FeishuRequest = { kind: 'challenge'; challenge: string } | { kind: 'event'; envelope: EventEnvelope };

/**
 * Feishu retries a failed delivery for about 7 h 20 min (15 s, 5 min, 1 h, 6 h). An event created longer ago than
 * this cannot be one of Feishu's deliveries: it is a replay, refused even once its delivery record has expired.
 */
export const MAX_EVENT_AGE_MS = 12 * 3600_000;
/** Clocks differ a little; an event from further in the future than this is forged. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const unauthorised = (reason: string) => new HttpError(401, reason);

const sameSecret = (given: string, expected: string) => tokenMatches(given, [expected]);

/**
 * Authenticates and opens one request to `POST /feishu/events`, in the order that keeps forgeries cheap to refuse:
 * with an Encrypt Key the body must be encrypted and (except for Feishu's URL check, which is never signed) signed
 * over the raw bytes; then it is decrypted, and the Verification Token is checked in every case. Throws HttpError:
 * 400 for a body that is not a Feishu payload, 401 for anything that fails authentication or is too old.
 */
export function openFeishuRequest(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  secrets: WebhookSecrets,
  now: number,
): FeishuRequest {
  let payload = parseJson(rawBody, 'request body');
  const encrypted = encryptedBodySchema.safeParse(payload);
  let signed = false;
  if (secrets.encryptKey) {
    if (!encrypted.success) throw unauthorised('an Encrypt Key is configured, but the body is not encrypted');
    if (headers['x-lark-signature'] !== undefined) {
      if (!verifyEventSignature(headers, rawBody, secrets.encryptKey))
        throw unauthorised('X-Lark-Signature does not match the body');
      signed = true;
    }
    let plaintext: string;
    try {
      plaintext = decryptEvent(encrypted.data.encrypt, secrets.encryptKey);
    } catch {
      throw unauthorised('the body cannot be decrypted with the configured Encrypt Key');
    }
    payload = parseJson(plaintext, 'decrypted body');
  } else if (encrypted.success) {
    throw unauthorised('the body is encrypted, but no Encrypt Key is configured (FEISHU_ENCRYPT_KEY)');
  }

  const challenge = urlVerificationSchema.safeParse(payload);
  if (challenge.success) {
    if (!sameSecret(challenge.data.token, secrets.verificationToken))
      throw unauthorised('the verification token is wrong');
    return { kind: 'challenge', challenge: challenge.data.challenge };
  }
  if (secrets.encryptKey && !signed) throw unauthorised('the event is not signed (X-Lark-Signature missing)');

  const envelope = eventEnvelopeSchema.safeParse(payload);
  if (!envelope.success) {
    const version =
      (payload as { schema?: unknown; uuid?: unknown })?.uuid !== undefined
        ? ' (schema 1.0 events are not supported: use 2.0)'
        : '';
    throw badRequest(`not a Feishu event of schema 2.0${version}`, envelope.error);
  }
  if (!sameSecret(envelope.data.header.token, secrets.verificationToken))
    throw unauthorised('the verification token is wrong');
  const age = now - Number(envelope.data.header.create_time);
  if (age > MAX_EVENT_AGE_MS)
    throw unauthorised(`the event was created ${Math.round(age / 3600_000)} h ago: a replay, not a Feishu delivery`);
  if (age < -MAX_CLOCK_SKEW_MS) throw unauthorised('the event was created in the future');
  return { kind: 'event', envelope: envelope.data };
}
