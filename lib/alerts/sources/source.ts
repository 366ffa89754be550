import { requireToken } from '../../lambda/auth.js';
import { parseJson } from '../../lambda/http.js';
import type { Logger } from '../../lambda/logger.js';
import type { AlertDraft } from '../model.js';
import type { SnsGateway } from './sns.js';

/** One request to `POST /alerts/{source}`. */
export interface Delivery {
  headers: Record<string, string>;
  rawBody: Buffer;
  receivedAt: string;
  /** The body as JSON, parsed on first use; a body that is empty or not JSON is a 400. */
  json(): unknown;
}

export interface SourceDeps {
  /** The bearer tokens accepted right now (more than one while a token is being rotated). */
  tokens: () => Promise<string[]>;
  sns: SnsGateway;
  /** SNS topics allowed to deliver CloudWatch alarms. */
  allowedTopics: string[];
  log: Logger;
}

/** What a source answers to a delivery that carries no alerts (SNS's subscription handshake). */
export interface SourceAnswer {
  statusCode: number;
  body: Record<string, unknown>;
}

/** An alert source: one file in this folder and one line in index.ts. */
export interface AlertSourceDefinition {
  /** The path segment of `POST /alerts/{source}`, and the alerts' `source`. */
  name: string;
  /** Throws an HttpError (401, 403, or 503 when it cannot tell) unless the delivery comes from this source. */
  authenticate(delivery: Delivery, deps: SourceDeps): Promise<void>;
  /** The delivery's alerts, each validated (a 400 names every bad field), or the answer to a delivery with none. */
  parse(delivery: Delivery, deps: SourceDeps): Promise<AlertDraft[] | SourceAnswer>;
}

/** The usual authentication: `Authorization: Bearer <token>`, or basic auth whose password is the token. */
export const bearerToken: AlertSourceDefinition['authenticate'] = async (delivery, deps) =>
  requireToken(delivery.headers, await deps.tokens());

export function openDelivery(request: { headers: Record<string, string>; rawBody: Buffer }, receivedAt: string) {
  let body: { value: unknown } | undefined;
  return {
    ...request,
    receivedAt,
    json: () => (body ??= { value: parseJson(request.rawBody) }).value,
  } satisfies Delivery;
}
