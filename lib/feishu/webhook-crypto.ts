import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Feishu's event-subscription crypto, on the raw request bytes (the SDK hashes a re-serialised body, which breaks
 * on any whitespace or key-order difference, and it would triple the webhook's bundle):
 * - body encryption: AES-256-CBC, PKCS7, key = SHA-256(Encrypt Key), payload = base64(iv16 + ciphertext);
 * - signature: hex(sha256(timestamp + nonce + Encrypt Key + body)). Not an HMAC.
 */
const aesKey = (encryptKey: string) => createHash('sha256').update(encryptKey).digest();

export function decryptEvent(encrypted: string, encryptKey: string): string {
  const data = Buffer.from(encrypted, 'base64');
  // One IV block and at least one cipher block, in whole blocks.
  if (data.length < 32 || data.length % 16 !== 0) throw new Error('encrypted event is not base64(iv + AES-CBC blocks)');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
}

/** The inverse of decryptEvent; tests and the local tooling build encrypted events with it. */
export function encryptEvent(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function eventSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey)
    .update(rawBody)
    .digest('hex');
}

/** Checks `X-Lark-Signature` in constant time; a missing header or any mismatch is false. */
export function verifyEventSignature(
  headers: Record<string, string | undefined>,
  rawBody: Buffer,
  encryptKey: string,
): boolean {
  const timestamp = headers['x-lark-request-timestamp'];
  const nonce = headers['x-lark-request-nonce'];
  const signature = headers['x-lark-signature'];
  if (!timestamp || !nonce || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(eventSignature(timestamp, nonce, encryptKey, rawBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
