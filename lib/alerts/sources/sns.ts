import https from 'node:https';
import Validator from 'sns-payload-validator';
import * as z from 'zod';
import { alertFields } from '../model.js';

/** The SNS HTTPS envelope. Fields are as SNS signs them; unknown ones are kept for the signature check. */
export const snsEnvelope = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  /** Kept as the alert's event id: bounded like every id a source gives. */
  MessageId: alertFields.id,
  TopicArn: z.string().min(1),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  UnsubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  SubscribeURL: z.string().optional(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelope>;

/** SNS always names its message type in this header; without it, a request must carry the bearer token. */
export const isSnsDelivery = (headers: Record<string, string>) => Boolean(headers['x-amz-sns-message-type']);

/** Checks SNS signatures and confirms subscriptions. `agent` exists so tests can reach a local stand-in of SNS. */
export interface SnsGateway {
  /** Resolves when the signature is valid (RSA-SHA1 for v1, RSA-SHA256 for v2, certificate from an SNS host). */
  verify(envelope: SnsEnvelope): Promise<void>;
  confirmSubscription(subscribeUrl: string): Promise<void>;
}

/** SNS confirmation links must point at SNS itself: anything else would make us fetch an attacker's URL. */
export const snsUrlPattern = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export function snsGateway(agent?: https.Agent): SnsGateway {
  const validator = new Validator(agent ? { requestAgent: agent } : {});
  return {
    async verify(envelope) {
      await validator.validate(envelope as never);
    },
    confirmSubscription(subscribeUrl) {
      if (!snsUrlPattern.test(subscribeUrl))
        return Promise.reject(new Error(`SubscribeURL ${subscribeUrl} is not an SNS URL`));
      return new Promise((resolve, reject) => {
        const request = https.get(subscribeUrl, agent ? { agent } : {}, (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200
              ? resolve()
              : reject(new Error(`SNS answered ${response.statusCode} to the subscription confirmation`)),
          );
        });
        request.setTimeout(5_000, () => request.destroy(new Error('SNS subscription confirmation timed out')));
        request.on('error', reject);
      });
    },
  };
}
