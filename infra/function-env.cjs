// Where the functions find their queues, tables, secret and Feishu, resolved by serverless.yml (`custom.functionEnv`).
//
// For `serverless package` and `deploy` these are CloudFormation references to the stack's own resources.
// For `serverless invoke local` they come from the running local runtime (`npm start` writes .data/local.env),
// so that command reaches the local queues, tables and Feishu outbox and never asks CloudFormation or AWS.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const stackResources = {
  ALERTS_QUEUE_URL: { Ref: 'AlertsQueue' },
  NOTIFY_QUEUE_URL: { Ref: 'NotifyQueue' },
  DEDUP_TABLE: { Ref: 'DedupTable' },
  ALERTS_TABLE: { Ref: 'AlertsTable' },
  INCIDENTS_TABLE: { Ref: 'IncidentsTable' },
  COMMANDS_QUEUE_URL: { Ref: 'CommandsQueue' },
  DELIVERIES_TABLE: { Ref: 'FeishuDeliveriesTable' },
  SILENCES_TABLE: { Ref: 'SilencesTable' },
  ONCALL_OVERRIDES_TABLE: { Ref: 'OncallOverridesTable' },
  AUDIT_TABLE: { Ref: 'AuditTable' },
  AUTOMATION_TABLE: { Ref: 'AutomationTable' },
  AUTOMATION_QUEUE_URL: { Ref: 'AutomationQueue' },
  TIMERS_QUEUE_URL: { Ref: 'TimersQueue' },
  SECRETS_ID: { Ref: 'OpenClawSecrets' },
  // The topic the platform's own alarms go to: ingest accepts its SNS deliveries like those of CLOUDWATCH_TOPIC_ARNS.
  ALARM_TOPIC_ARN: { Ref: 'OpsNotificationsTopic' },
  // Lark (international) tenants deploy with FEISHU_DOMAIN=https://open.larksuite.com; only https is taken.
  FEISHU_DOMAIN: /^https:\/\//.test(process.env.FEISHU_DOMAIN ?? '')
    ? process.env.FEISHU_DOMAIN
    : 'https://open.feishu.cn',
  // The detail pages' links point here: a custom domain when PUBLIC_BASE_URL names one (https only), otherwise the
  // stack's own HTTP API.
  PUBLIC_BASE_URL: /^https:\/\//.test(process.env.PUBLIC_BASE_URL ?? '')
    ? process.env.PUBLIC_BASE_URL.replace(/\/+$/, '')
    : { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] },
};

/** `export KEY='value'` lines, as LocalRuntime.writeEnvFile writes them. */
function readEnvFile(path) {
  const values = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (match) values[match[1]] = match[2].replace(/'\\''/g, "'");
  }
  return values;
}

module.exports = () => {
  const envFile = join(__dirname, '..', '.data', 'local.env');
  const invokeLocal = process.argv.includes('invoke') && process.argv.includes('local');
  if (!invokeLocal) return stackResources;
  if (!existsSync(envFile)) {
    throw new Error('serverless invoke local runs against the local runtime: start it first with `npm start`');
  }
  const local = readEnvFile(envFile);
  // Lambda runs Node 22; the SDK's warning about this machine's Node 20 says nothing about the deployment.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Endpoints, credentials and secrets of the local runtime, for the handler that runs in this process.
  for (const [key, value] of Object.entries(local))
    if (!(key in stackResources) && process.env[key] === undefined) process.env[key] = value;
  return Object.fromEntries(Object.keys(stackResources).map((key) => [key, local[key] ?? '']));
};
