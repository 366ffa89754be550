import { feishuApi, type FeishuCredentials } from './client.js';
import { FeishuApiError } from './messenger.js';

/** A row as Bitable takes it: field name → value (text, number, a date as epoch ms, a link); null leaves it out. */
export type BitableFields = Record<string, string | number | { link: string; text: string } | null>;

/** Where the register is: a Bitable app (its token, from the table's URL) and the table in it. */
export interface BitableTable {
  appToken: string;
  tableId: string;
}

/**
 * The incident register as a Bitable table, over the SDK: a row is created with Feishu's `client_token` (a retry
 * creates no second row) and updated by its record id. Field names and types are the README's.
 */
export function bitableRegister(credentials: FeishuCredentials, table: BitableTable) {
  const { client, call } = feishuApi(credentials);
  const path = { app_token: table.appToken, table_id: table.tableId };
  return {
    async write(fields: BitableFields, recordId: string | undefined, clientToken: string): Promise<string> {
      // Bitable takes no null: an empty field is one left out (an update leaves it as it was, and it only fills in).
      const present = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)) as Record<
        string,
        never
      >;
      const answer = recordId
        ? await call('update register row', () =>
            client.bitable.appTableRecord.update({ path: { ...path, record_id: recordId }, data: { fields: present } }),
          )
        : await call('add register row', () =>
            client.bitable.appTableRecord.create({
              path,
              params: { client_token: clientToken },
              data: { fields: present },
            }),
          );
      const id = answer.data?.record?.record_id ?? recordId;
      if (!id) throw new FeishuApiError('add register row', answer.code, 'answer has no record_id');
      return id;
    },
  };
}
