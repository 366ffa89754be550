/** The EventBridge "CloudWatch Alarm State Change" event, as in the CloudWatch user guide. */
export function stateChange(change: { state?: string; description?: string | null; id?: string } = {}) {
  return {
    version: '0',
    id: change.id ?? 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-03-02T02:56:07Z',
    region: 'eu-west-1',
    resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-db-cpu'],
    detail: {
      alarmName: 'orders-db-cpu',
      state: {
        value: change.state ?? 'ALARM',
        reason: 'Threshold Crossed: 3 datapoints were greater than the threshold (90.0).',
        reasonData: '{"version":"1.0"}',
        timestamp: '2026-03-02T02:56:07.989+0000',
      },
      previousState: { value: 'OK', reason: 'Threshold Crossed', timestamp: '2026-03-01T10:00:00.000+0000' },
      configuration: {
        description: change.description === undefined ? 'Orders database CPU. Severity: critical' : change.description,
        metrics: [
          {
            id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87',
            metricStat: {
              metric: {
                dimensions: { DBInstanceIdentifier: 'orders-db-1' } as Record<string, string>,
                name: 'CPUUtilization',
                namespace: 'AWS/RDS',
              },
              period: 300,
              stat: 'Average',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}
