import type { MiddlewareObj } from '@middy/core';
import type { ZodType, z } from 'zod';
import { logger } from '../logger.js';
import type { ParsedRecord, ParsedSqsEvent, SqsEvent } from '../sqs.js';

/**
 * Parses every record's body as JSON and validates it with `schema` (`parsed`). A malformed message cannot get
 * better by retrying, but it must not vanish either: it is logged and reported failed (`malformed`) until it reaches
 * the dead-letter queue, and the rest of the batch goes on.
 */
export function sqsRecords<S extends ZodType>(name: string, schema: S): MiddlewareObj<SqsEvent> {
  const log = logger.child({ function: name });
  return {
    before: async (request) => {
      const parsed: ParsedRecord<z.infer<S>>[] = [];
      const malformed: string[] = [];
      for (const record of request.event.Records) {
        try {
          parsed.push({ record, item: schema.parse(JSON.parse(record.body)) });
        } catch (error) {
          log.error('malformed message', { messageId: record.messageId, error });
          malformed.push(record.messageId);
        }
      }
      const event: ParsedSqsEvent<z.infer<S>> = { ...request.event, parsed, malformed };
      request.event = event;
    },
  };
}
