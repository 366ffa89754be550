/**
 * npm run audit:verify — walks the automation audit chain and reports the first broken link.
 *
 * Against AWS: AUDIT_TABLE=openclaw-prod-audit AWS_REGION=ap-southeast-1 npm run audit:verify (read-only credentials
 * suffice). Without AUDIT_TABLE it checks the running local runtime's table (`npm start` writes .data/local.env).
 * Exit status: 0 intact, 1 broken, 2 could not check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAudit } from '../../lib/automation/audit.js';
import { dynamoAuditStore } from '../../lib/store/audit-table.js';
import { documentClient } from '../../lib/store/dynamo.js';
import { projectRoot } from '../local/runtime.js';

function localEnv(): Record<string, string> {
  const file = join(projectRoot, '.data', 'local.env');
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    [...readFileSync(file, 'utf8').matchAll(/^export ([A-Z0-9_]+)='(.*)'$/gm)].map(([, key, value]) => [
      key!,
      value!.replace(/'\\''/g, "'"),
    ]),
  );
}

let againstLocalRuntime = false;

async function main(): Promise<number> {
  // Lambda runs Node 22; the SDK's warning about this machine's Node 20 says nothing about the log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (!process.env.AUDIT_TABLE) {
    againstLocalRuntime = true;
    const local = localEnv();
    if (!local.AUDIT_TABLE) {
      console.error('audit:verify: set AUDIT_TABLE (and AWS credentials), or start the local runtime with `npm start`');
      return 2;
    }
    for (const [key, value] of Object.entries(local)) process.env[key] ??= value;
  }
  const table = process.env.AUDIT_TABLE!;
  const result = await verifyAudit(dynamoAuditStore(documentClient(), table));
  if (result.ok) {
    console.log(`audit log ${table}: intact, ${result.records} records, last hash ${result.lastHash}`);
    return 0;
  }
  console.log(`audit log ${table}: BROKEN at record ${result.brokenAt} (${result.records} read): ${result.problem}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const hint = againstLocalRuntime ? ' (is `npm start` running?)' : '';
    console.error(`audit:verify could not check the log: ${(error as Error).message}${hint}`);
    process.exit(2);
  },
);
