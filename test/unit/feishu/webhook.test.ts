import { describe, expect, it } from 'vitest';
import { MAX_EVENT_AGE_MS, openFeishuRequest } from '../../../lib/feishu/webhook.js';
import { HttpError } from '../../../lib/lambda/errors.js';
import { delivery, envelope, type FeishuApp } from '../../../infra/local/feishu-events.js';

const encrypted: FeishuApp = { verificationToken: 'v-token', encryptKey: 'e-key' };
const plain: FeishuApp = { verificationToken: 'v-token' };
const now = Date.now();

function open(app: FeishuApp, d: { body: string; headers: Record<string, string> }, secrets: FeishuApp = app) {
  return openFeishuRequest(Buffer.from(d.body), d.headers, secrets, now);
}

function rejection(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

const message = (app: FeishuApp, header = {}) =>
  envelope(app, 'im.message.receive_v1', { message: { message_id: 'om_1' } }, header);

describe('opening a request to /feishu/events', () => {
  it('answers the URL check, plain and encrypted (which Feishu never signs)', () => {
    const check = { type: 'url_verification', challenge: 'ch-123', token: 'v-token' };
    expect(open(plain, delivery(plain, check))).toEqual({ kind: 'challenge', challenge: 'ch-123' });
    expect(open(encrypted, delivery(encrypted, check, { sign: false }))).toEqual({
      kind: 'challenge',
      challenge: 'ch-123',
    });
  });

  it('refuses a URL check with the wrong verification token', () => {
    const check = { type: 'url_verification', challenge: 'ch', token: 'guess' };
    expect(rejection(() => open(plain, delivery(plain, check))).status).toBe(401);
    expect(rejection(() => open(encrypted, delivery(encrypted, check, { sign: false }))).status).toBe(401);
  });

  it('opens a signed, encrypted event and checks its verification token', () => {
    const event = message(encrypted);
    const opened = open(encrypted, delivery(encrypted, event));
    expect(opened).toMatchObject({ kind: 'event', envelope: { header: { event_type: 'im.message.receive_v1' } } });
    expect(
      rejection(() => open(encrypted, delivery(encrypted, message(encrypted, { token: 'forged' })))).message,
    ).toMatch(/verification token/);
  });

  it('refuses an event that is unsigned, wrongly signed, signed over other bytes, or encrypted with another key', () => {
    const event = message(encrypted);
    expect(rejection(() => open(encrypted, delivery(encrypted, event, { sign: false }))).message).toMatch(/not signed/);
    const signed = delivery(encrypted, event);
    expect(
      rejection(() =>
        open(encrypted, { ...signed, headers: { ...signed.headers, 'x-lark-signature': '0'.repeat(64) } }),
      ).status,
    ).toBe(401);
    // The same JSON with one more space: the signature covers the raw bytes, not the parsed object.
    expect(rejection(() => open(encrypted, { ...signed, body: signed.body.replace('{', '{ ') })).message).toMatch(
      /does not match/,
    );
    const otherKey = delivery({ ...encrypted, encryptKey: 'other' }, event);
    expect(rejection(() => open(encrypted, otherKey)).status).toBe(401);
  });

  it('refuses a plain body when an Encrypt Key is configured, and an encrypted one when none is', () => {
    expect(rejection(() => open(encrypted, delivery(plain, message(plain)))).message).toMatch(/not encrypted/);
    expect(rejection(() => open(plain, delivery(encrypted, message(encrypted)), plain)).message).toMatch(
      /no Encrypt Key/,
    );
  });

  it('refuses a replay of an event older than Feishu retries, and one from the future', () => {
    const old = message(encrypted, { createTime: now - MAX_EVENT_AGE_MS - 60_000 });
    expect(rejection(() => open(encrypted, delivery(encrypted, old))).message).toMatch(/replay/);
    const future = message(encrypted, { createTime: now + 3600_000 });
    expect(rejection(() => open(encrypted, delivery(encrypted, future))).status).toBe(401);
    // Feishu's last retry comes about 7 h 20 min after the event: still accepted.
    expect(
      open(encrypted, delivery(encrypted, message(encrypted, { createTime: now - 7.5 * 3600_000 }))),
    ).toMatchObject({ kind: 'event' });
  });

  it('answers 400 for a body that is not JSON or not a schema 2.0 event', () => {
    expect(rejection(() => open(plain, { body: '{"schema":', headers: {} }))).toEqual({
      status: 400,
      message: 'request body is not valid JSON',
    });
    expect(
      rejection(() => open(plain, delivery(plain, { uuid: 'u1', token: 'v-token', event: { type: 'message' } })))
        .message,
    ).toMatch(/schema 1.0/);
    expect(rejection(() => open(plain, delivery(plain, { hello: 'world' }))).status).toBe(400);
  });
});
