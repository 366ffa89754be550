import { describe, expect, it } from 'vitest';
import {
  decryptEvent,
  encryptEvent,
  eventSignature,
  verifyEventSignature,
} from '../../../lib/feishu/webhook-crypto.js';

describe('Feishu webhook crypto', () => {
  it('decrypts the documented test vector', () => {
    expect(decryptEvent('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key')).toBe('hello world');
  });

  it('round-trips Chinese text and rejects a wrong key or a mangled payload', () => {
    // A fixed IV: with a random one, a wrong key still ends in valid padding about one time in 256 (and yields garbage).
    const encrypted = encryptEvent('{"text":"磁盘告警"}', 'k1', Buffer.alloc(16, 7));
    expect(decryptEvent(encrypted, 'k1')).toBe('{"text":"磁盘告警"}');
    expect(() => decryptEvent(encrypted, 'k2')).toThrow();
    expect(() => decryptEvent('bm90IGVuY3J5cHRlZA==', 'k1')).toThrow(/not base64/);
  });

  // Expected value computed outside this project (Python hashlib) from the documented formula.
  const body = Buffer.from('{"schema":"2.0","header":{"event_id":"e1"},"event":{"text":"告警"}}');
  const expected = '95c622f6ef3d4e7c48bed0ce40defc10e5c25996f56f99b738922e78c2e3cfa0';

  it('signs as hex(sha256(timestamp + nonce + key + raw body)), not an HMAC', () => {
    expect(eventSignature('1795403565', 'r4nd0m-n0nce', 'encrypt-key-123', body)).toBe(expected);
  });

  it('accepts the right signature and rejects any other, a missing header, or a changed body', () => {
    const headers = {
      'x-lark-request-timestamp': '1795403565',
      'x-lark-request-nonce': 'r4nd0m-n0nce',
      'x-lark-signature': expected,
    };
    expect(verifyEventSignature(headers, body, 'encrypt-key-123')).toBe(true);
    expect(verifyEventSignature(headers, body, 'other-key')).toBe(false);
    expect(verifyEventSignature({ ...headers, 'x-lark-signature': undefined }, body, 'encrypt-key-123')).toBe(false);
    expect(verifyEventSignature({ ...headers, 'x-lark-signature': 'zz' }, body, 'encrypt-key-123')).toBe(false);
    expect(verifyEventSignature(headers, Buffer.from(`${body.toString()} `), 'encrypt-key-123')).toBe(false);
  });
});
