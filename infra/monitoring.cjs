// The platform watching itself: alarms on every function's errors and throttles, on the age of the oldest message in
// every queue a function consumes, on the HTTP API's 5xx answers and on alert→card p95 (the EMF metric of
// lib/lambda/metrics.ts), and one CloudWatch dashboard. Included from serverless.yml (`resources`); the functions and
// queues are read from serverless.yml and infra/resources.yml, so a function added there is watched without a line
// here. Every alarm goes to OpsNotificationsTopic (resources.yml), which feeds the platform's own /alerts/cloudwatch
// and the ALARM_EMAIL address; OK goes there too, so the alert it raised resolves.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

// CloudFormation tags (!GetAtt X.Arn) are read as their plain text: only names are taken from these files.
const readYaml = (file) => parse(readFileSync(join(__dirname, '..', file), 'utf8'), { logLevel: 'silent' });

/** The metrics namespace of lib/lambda/metrics.ts (METRICS_NAMESPACE); test/integration/package.test.ts checks it. */
const NAMESPACE = 'OpenClaw';
const FIVE_MINUTES = 300;

/** The Serverless Framework's logical id of a function: `alert-ingest` → `AlertDashingest` (+ `LambdaFunction`). */
const logicalName = (name) =>
  name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');

/**
 * An alarm that tells the ops topic when it fires and when it is OK again. The description's `service=` and `severity=`
 * tags are what the CloudWatch source reads into the alert (lib/alerts/sources/cloudwatch.ts).
 */
const alarm = (name, severity, description, properties) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: `\${self:service}-\${sls:stage}-${name}`,
    AlarmDescription: `${description} [service=openclaw severity=${severity}]`,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: 'OpsNotificationsTopic' }],
    OKActions: [{ Ref: 'OpsNotificationsTopic' }],
    ...properties,
  },
});

module.exports = () => {
  const { functions } = readYaml('serverless.yml');
  const resources = readYaml('infra/resources.yml').Resources;
  const names = Object.keys(functions);
  const fn = (name) => `\${${logicalName(name)}LambdaFunction}`;
  // Each queue a function consumes, with its consumer and its dead-letter queue.
  const queues = names.flatMap((name) =>
    (functions[name].events ?? [])
      .filter((event) => event.sqs)
      .map((event) => {
        const queue = String(event.sqs.arn).split('.')[0];
        const deadLetter = String(resources[queue]?.Properties?.RedrivePolicy?.deadLetterTargetArn ?? '').split('.')[0];
        return { queue, consumer: name, deadLetter };
      }),
  );

  const Resources = {};
  for (const name of names) {
    const FunctionName = { Ref: `${logicalName(name)}LambdaFunction` };
    const lambdaMetric = (MetricName) => ({
      Namespace: 'AWS/Lambda',
      MetricName,
      Dimensions: [{ Name: 'FunctionName', Value: FunctionName }],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      Threshold: 0,
    });
    Resources[`${logicalName(name)}ErrorsAlarm`] = alarm(
      `${name}-errors`,
      'warning',
      `${name} failed whole invocations (a crash or a timeout); its log group says why.`,
      lambdaMetric('Errors'),
    );
    Resources[`${logicalName(name)}ThrottlesAlarm`] = alarm(
      `${name}-throttles`,
      'warning',
      `${name} was throttled: its reserved concurrency or the account's concurrency is used up.`,
      lambdaMetric('Throttles'),
    );
  }
  for (const { queue, consumer } of queues) {
    Resources[`${queue}AgeAlarm`] = alarm(
      `${queue.replace(/Queue$/, '').toLowerCase()}-queue-behind`,
      'critical',
      `The oldest message in the ${queue} has waited longer than expected: ${consumer} is behind or failing; look at its errors, throttles and logs.`,
      {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: FIVE_MINUTES,
        Threshold: `\${self:custom.monitoring.queueAgeSeconds.${queue}}`,
      },
    );
  }
  Resources.HttpApi5xxAlarm = alarm(
    'api-5xx',
    'warning',
    'The HTTP API answered 5xx: a function failed or could not queue; the per-route 5xx on the dashboard says which.',
    {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      Statistic: 'Sum',
      Period: FIVE_MINUTES,
      Threshold: 0,
    },
  );
  Resources.AlertToCardAlarm = alarm(
    'alert-to-card-p95',
    'warning',
    "Alert→card p95 stayed above its threshold for 15 minutes: cards reach people late; look at the queues' age and Feishu errors.",
    {
      Namespace: NAMESPACE,
      MetricName: 'AlertToCard',
      Dimensions: [{ Name: 'Stage', Value: '${sls:stage}' }],
      ExtendedStatistic: 'p95',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 3,
      Threshold: '${self:custom.monitoring.alertToCardP95Ms}',
    },
  );

  Resources.OpsDashboard = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: '${self:service}-${sls:stage}',
      DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets: dashboardWidgets(names, queues, fn) }) },
    },
  };
  return { Resources };
};

/** The dashboard, a row of two-wide graphs at a time: what the platform did, how its parts ran, its API and queues. */
function dashboardWidgets(names, queues, fn) {
  const search = (dimensions, metric, stat = 'Sum') =>
    `SEARCH('{${NAMESPACE},${['Stage', ...dimensions].join(',')}} Stage="\${sls:stage}" MetricName="${metric}"', '${stat}', ${FIVE_MINUTES})`;
  const expressions = (list) =>
    list.map(([label, expression], i) => [{ expression, id: `e${i}`, ...(label ? { label } : {}) }]);
  const lambda = (metric, stat) =>
    names.map((name) => ['AWS/Lambda', metric, 'FunctionName', fn(name), { label: name, stat }]);
  const api = (metric, stat) => ['AWS/ApiGateway', metric, 'ApiId', '${HttpApi}', { label: metric, stat }];
  const graphs = [
    [
      'Alerts (5 min sums, by source and severity)',
      expressions([
        ['received', search(['Severity', 'Source'], 'AlertsReceived')],
        ['deduplicated', search(['Severity', 'Source'], 'AlertsDeduplicated')],
        ['muted', search(['Severity', 'Source'], 'AlertsMuted')],
        ['notified', search(['Severity', 'Source'], 'AlertsNotified')],
      ]),
    ],
    [
      'Alert → card (ms)',
      ['p50', 'p95', 'p99'].map((stat) => [NAMESPACE, 'AlertToCard', 'Stage', '${sls:stage}', { stat, label: stat }]),
    ],
    ['Feishu errors by code', expressions([['', search(['Code'], 'FeishuErrors')]])],
    [
      'Automation runs and Feishu deliveries',
      expressions([
        ['runs', search(['Outcome'], 'AutomationRuns')],
        ['webhook', search(['Outcome'], 'FeishuEvents')],
      ]),
    ],
    ['Function errors', lambda('Errors', 'Sum')],
    ['Function throttles', lambda('Throttles', 'Sum')],
    ['Function duration p95 (ms)', lambda('Duration', 'p95')],
    ['Concurrent executions', lambda('ConcurrentExecutions', 'Maximum')],
    [
      'SQS records reported failed, and timers only the sweep caught',
      expressions([
        ['failed', search(['Function'], 'RecordsFailed')],
        ['swept', search([], 'SweptTimers')],
      ]),
    ],
    ['HTTP API requests and errors', [api('Count', 'Sum'), api('4xx', 'Sum'), api('5xx', 'Sum')]],
    ['HTTP API latency (ms)', [api('Latency', 'p50'), api('Latency', 'p95'), api('IntegrationLatency', 'p95')]],
    [
      'Oldest message in each queue (s)',
      queues.map(({ queue }) => [
        'AWS/SQS',
        'ApproximateAgeOfOldestMessage',
        'QueueName',
        `\${${queue}.QueueName}`,
        { label: queue, stat: 'Maximum' },
      ]),
    ],
    [
      'Dead-letter messages',
      queues
        .filter(({ deadLetter }) => deadLetter)
        .map(({ deadLetter }) => [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          `\${${deadLetter}.QueueName}`,
          { label: deadLetter, stat: 'Maximum' },
        ]),
    ],
  ];
  return graphs.map(([title, metrics], i) => ({
    type: 'metric',
    x: (i % 2) * 12,
    y: Math.floor(i / 2) * 6,
    width: 12,
    height: 6,
    properties: { title, metrics, view: 'timeSeries', region: '${AWS::Region}', period: FIVE_MINUTES, stat: 'Sum' },
  }));
}
