import { join } from 'node:path';
import { LocalRuntime, projectRoot } from './runtime.js';

const port = Number(process.env.PORT ?? 3000);
const token = process.env.LOCAL_ALERT_TOKEN ?? 'local-dev-token';
const feishu =
  process.env.FEISHU_APP_ID && process.env.FEISHU_APP_SECRET
    ? { appId: process.env.FEISHU_APP_ID, appSecret: process.env.FEISHU_APP_SECRET, domain: process.env.FEISHU_DOMAIN }
    : undefined;
const dataDir = process.env.LOCAL_DATA_DIR ?? join(projectRoot, '.data');
const scheduleEveryMs = process.env.LOCAL_SCHEDULE_EVERY_MS ? Number(process.env.LOCAL_SCHEDULE_EVERY_MS) : undefined;

const runtime = new LocalRuntime({
  port,
  dataDir: join(dataDir, 'dynamodb'),
  feishu,
  alertToken: token,
  scheduleEveryMs,
  env: process.env.CONFIG_DIR ? { CONFIG_DIR: process.env.CONFIG_DIR } : {},
});
runtime.feishu.onCall = (entry) => {
  const body = entry.body === undefined ? '' : JSON.stringify(entry.body);
  console.log(`[feishu] ${entry.method} ${entry.path} ${body.length > 300 ? `${body.slice(0, 300)}…` : body}`);
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
const feishuLine = feishu
  ? `real API (${feishu.domain ?? 'https://open.feishu.cn'}, app ${feishu.appId})`
  : `local outbox: GET ${url}/_local/outbox`;
console.log(`
OpenClaw is running locally on ${url}
  alert sources: POST ${url}/alerts/{source}: alertmanager | cloudwatch | generic
  bearer token:  ${token}   (set LOCAL_ALERT_TOKEN to change it)
  Feishu:        ${feishuLine}
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
