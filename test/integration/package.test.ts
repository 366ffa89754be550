import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/local/runtime.js';
import { METRICS_NAMESPACE } from '../../lib/lambda/metrics.js';

type Resource = { Type: string; Properties: Record<string, any>; Condition?: string; DependsOn?: string[] };

const out = mkdtempSync(join(tmpdir(), 'openclaw-package-'));
let template: { Resources: Record<string, Resource>; Conditions?: Record<string, unknown> };

/**
 * `serverless package` as a deployment runs it, but with no AWS credentials, config or instance metadata to find:
 * the template must build from this repository alone. The monitoring settings come from the environment, as the
 * README says.
 */
beforeAll(async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  Object.assign(env, {
    AWS_CONFIG_FILE: join(out, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ALARM_EMAIL: 'oncall@example.com',
    API_THROTTLE_RATE: '50',
    WEBHOOK_RESERVED_CONCURRENCY: '7',
  });
  await promisify(execFile)(
    process.execPath,
    [join(projectRoot, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'ci', '--package', out],
    { cwd: projectRoot, env, timeout: 240_000 },
  );
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
const alarmOn = (namespace: string, metric: string, dimension: unknown) =>
  alarms().find(
    (a) =>
      a.Namespace === namespace &&
      a.MetricName === metric &&
      JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)),
  );

describe('serverless package, offline', () => {
  it('alarms on every function’s errors and throttles', () => {
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id);
    expect(functions).toHaveLength(10);
    for (const id of functions) {
      expect(alarmOn('AWS/Lambda', 'Errors', { Ref: id }), `${id} errors`).toMatchObject({ Threshold: 0 });
      expect(alarmOn('AWS/Lambda', 'Throttles', { Ref: id }), `${id} throttles`).toMatchObject({ Threshold: 0 });
    }
  });

  it('alarms on the age of every consumed queue, on dead letters, on API 5xx and on alert→card p95', () => {
    const consumed = ofType('AWS::Lambda::EventSourceMapping').map(
      ([, r]) => r.Properties.EventSourceArn['Fn::GetAtt'][0],
    );
    expect(consumed.sort()).toEqual(['AlertsQueue', 'AutomationQueue', 'CommandsQueue', 'NotifyQueue', 'TimersQueue']);
    for (const queue of consumed) {
      expect(alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', { 'Fn::GetAtt': [queue, 'QueueName'] })).toBeDefined();
      const deadLetter = template.Resources[queue]!.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
      expect(
        alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [deadLetter, 'QueueName'] }),
      ).toBeDefined();
    }
    expect(alarmOn('AWS/ApiGateway', '5xx', { Ref: 'HttpApi' })).toBeDefined();
    expect(alarmOn(METRICS_NAMESPACE, 'AlertToCard', { Name: 'Stage', Value: 'ci' })).toMatchObject({
      ExtendedStatistic: 'p95',
      Threshold: 1000,
    });
  });

  it('sends every alarm, firing and OK, to a topic that feeds the platform’s own /alerts/cloudwatch and the e-mail', () => {
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: 'OpsNotificationsTopic' }]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([{ Ref: 'OpsNotificationsTopic' }]);
      expect(alarm.AlarmDescription).toMatch(/\[service=openclaw severity=(critical|warning)\]$/);
    }
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, r]) => r);
    expect(subscriptions.map((s) => s.Properties.TopicArn)).toEqual([
      { Ref: 'OpsNotificationsTopic' },
      { Ref: 'OpsNotificationsTopic' },
    ]);
    expect(subscriptions.find((s) => s.Properties.Protocol === 'https')!.Properties.Endpoint['Fn::Sub']).toMatch(
      /^https:\/\/\$\{HttpApi\}\.execute-api\..*\/alerts\/cloudwatch$/,
    );
    const email = subscriptions.find((s) => s.Properties.Protocol === 'email')!;
    expect(email).toMatchObject({ Condition: 'AlarmEmailSet', Properties: { Endpoint: 'oncall@example.com' } });
    expect(template.Conditions!.AlarmEmailSet).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['oncall@example.com', ''] }] });
    // Ingest accepts the topic's deliveries, which no operator has to list in CLOUDWATCH_TOPIC_ARNS.
    const ingest = template.Resources.AlertDashingestLambdaFunction!.Properties.Environment.Variables;
    expect(ingest.ALARM_TOPIC_ARN).toEqual({ Ref: 'OpsNotificationsTopic' });
  });

  it('throttles the API stage, keeps detailed metrics, reserves the webhook and caps the router and the worker', () => {
    expect(template.Resources.HttpApiStage!.Properties.DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: true,
      ThrottlingRateLimit: '50',
      ThrottlingBurstLimit: 200,
    });
    expect(template.Resources.FeishuDashwebhookLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(7);
    const capped = ofType('AWS::Lambda::EventSourceMapping')
      .filter(([, r]) => r.Properties.ScalingConfig)
      .map(([id, r]) => [id, r.Properties.ScalingConfig.MaximumConcurrency]);
    expect(capped).toEqual([
      ['AlertDashrouterEventSourceMappingSQSNotifyQueue', 10],
      ['IncidentDashtimersEventSourceMappingSQSTimersQueue', 20],
    ]);
  });

  it('has one dashboard that shows every function, the alert counts and alert→card', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const body = dashboard.Properties.DashboardBody['Fn::Sub'] as string;
    expect(() => JSON.parse(body)).not.toThrow();
    for (const [id] of ofType('AWS::Lambda::Function')) expect(body).toContain(`\${${id}}`);
    expect(body).toContain('MetricName=\\"AlertsReceived\\"');
    expect(body).toContain(`["${METRICS_NAMESPACE}","AlertToCard","Stage","ci",{"stat":"p95","label":"p95"}]`);
  });
});
