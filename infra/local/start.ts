import { join } from 'node:path';
import { localPort } from './address.js';
import { LocalRuntime, projectRoot } from './runtime.js';

const port = localPort();
const token = process.env.LOCAL_ALERT_TOKEN ?? 'local-dev-token';
const feishu =
  process.env.FEISHU_APP_ID && process.env.FEISHU_APP_SECRET
    ? { appId: process.env.FEISHU_APP_ID, appSecret: process.env.FEISHU_APP_SECRET, domain: process.env.FEISHU_DOMAIN }
    : undefined;
const dataDir = process.env.LOCAL_DATA_DIR ?? join(projectRoot, '.data');
// A share of Feishu calls (0–1) the local stand-in fails on purpose, to watch delivery hold up when Feishu does not.
const feishuFaults = Number(process.env.LOCAL_FEISHU_FAULTS ?? 0);
if (!(feishuFaults >= 0 && feishuFaults <= 1)) {
  console.error(
    `LOCAL_FEISHU_FAULTS must be a share between 0 and 1 (e.g. 0.3), not "${process.env.LOCAL_FEISHU_FAULTS}"`,
  );
  process.exit(1);
}
const scheduleEveryMs = process.env.LOCAL_SCHEDULE_EVERY_MS ? Number(process.env.LOCAL_SCHEDULE_EVERY_MS) : undefined;

const runtime = new LocalRuntime({
  port,
  dataDir: join(dataDir, 'dynamodb'),
  feishu,
  alertToken: token,
  scheduleEveryMs,
  env: process.env.CONFIG_DIR ? { CONFIG_DIR: process.env.CONFIG_DIR } : {},
  shellEnv: process.env,
});
runtime.feishu.faults = feishuFaults;
runtime.feishu.onCall = (entry) => {
  const body = entry.body === undefined ? '' : JSON.stringify(entry.body);
  const outcome = entry.fault ? ` [fault: ${entry.fault}]` : '';
  console.log(
    `[feishu] ${entry.method} ${entry.path}${outcome} ${body.length > 300 ? `${body.slice(0, 300)}…` : body}`,
  );
};

try {
  await runtime.start();
} catch (error) {
  console.error(`OpenClaw could not start: ${(error as Error).message}`);
  process.exit(1);
}
const envFile = join(dataDir, 'local.env');
runtime.writeEnvFile(envFile);

const url = runtime.url;
const { LLM_BASE_URL, LLM_MODEL, LLM_API_KEY } = runtime.env;
const llmLine =
  LLM_BASE_URL && LLM_MODEL
    ? LLM_API_KEY
      ? `${LLM_MODEL} at ${LLM_BASE_URL} writes knowledge-base answers`
      : `LLM_API_KEY is not set, so ${LLM_MODEL} is not used (a server that needs no key takes any value)`
    : 'none: answers are runbook passages (set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY)';
const feishuLine = feishu
  ? `real API (${feishu.domain ?? 'https://open.feishu.cn'}, app ${feishu.appId})`
  : `local outbox: GET ${url}/_local/outbox?format=text${feishuFaults ? ` (failing ${feishuFaults * 100}% of calls on purpose)` : ''}`;
console.log(`
OpenClaw is running locally on ${url}
  alert sources: POST ${url}/alerts/{source}: alertmanager | cloudwatch | generic
  bearer token:  ${token}   (set LOCAL_ALERT_TOKEN to change it)
  Feishu:        ${feishuLine}
  LLM:           ${llmLine}
  metrics:       GET ${url}/_local/metrics   (Prometheus text; CloudWatch EMF in AWS)
  DynamoDB data: ${join(dataDir, 'dynamodb')}

Send a test alert:
  curl -sS -X POST ${url}/alerts/generic -H 'Authorization: Bearer ${token}' -H 'content-type: application/json' \\
    -d '{"name":"DiskFull","severity":"critical","service":"mysql","host":"db-1","summary":"/data 使用率 97%"}'

Alertmanager receiver (alertmanager.yml):
  receivers:
    - name: openclaw
      webhook_configs:
        - url: ${url}/alerts/alertmanager
          send_resolved: true
          http_config:
            authorization: { type: Bearer, credentials: ${token} }

Talk to the bot (a signed, encrypted Feishu event to POST ${url}/feishu/events; prints the bot's reply):
  curl -sS -X POST ${url}/_local/chat -H 'content-type: application/json' -d '{"text":"/status"}'
  curl -sS -X POST ${url}/_local/chat -H 'content-type: application/json' -d '{"text":"/logs payments 15m"}'
  a click on a card's button (its message id is on its line in the outbox):
  curl -sS -X POST ${url}/_local/card -H 'content-type: application/json' -d '{"messageId":"om_local_…","button":"确认"}'
  Feishu event keys: verification token ${runtime.env.FEISHU_VERIFICATION_TOKEN},
                     encrypt key ${runtime.env.FEISHU_ENCRYPT_KEY}

serverless invoke local runs against this runtime (its endpoints are in ${envFile}):
  npx serverless invoke local -f alert-ingest -p events/alert-ingest.json
  npx serverless invoke local -f feishu-webhook -p events/feishu-webhook.json
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping…');
    await runtime.stop();
    process.exit(0);
  });
}
