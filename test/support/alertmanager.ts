import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../infra/local/peers.js';
import { debianPeer } from './debian-peers.js';
import { waitFor } from './wait.js';

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on a loopback port, grouping by alertname and service and
 * calling `webhook` with a bearer token, its files in `dir`. Resolves once it is ready.
 */
export async function startAlertmanager(options: {
  dir: string;
  webhook: string;
  token: string;
  groupInterval: string;
}) {
  const config = join(options.dir, 'alertmanager.yml');
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: openclaw',
      "  group_by: ['alertname', 'service']",
      '  group_wait: 1s',
      `  group_interval: ${options.groupInterval}`,
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: openclaw',
      '    webhook_configs:',
      `      - url: '${options.webhook}'`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: '${options.token}'`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    debianPeer('prometheus-alertmanager'),
    [
      `--config.file=${config}`,
      `--storage.path=${join(options.dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`Alertmanager exited with ${child.exitCode}: ${stderr}`);
      return fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
    },
    'Alertmanager /-/ready',
    { timeoutMs: 20_000, describe: () => stderr },
  );
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The webhook Alertmanager sends for one group: its alerts (one per label set), all `status`, as a group notification
 * carries them. A resolved alert ends when it was sent.
 */
export function alertmanagerWebhook(
  alertname: string,
  status: 'firing' | 'resolved',
  alerts: { labels: Record<string, string>; summary: string }[],
  startsAt = '2026-03-02T03:00:00Z',
) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'openclaw',
    groupLabels: { alertname },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local:9093',
    alerts: alerts.map(({ labels, summary }) => ({
      status,
      labels: { alertname, ...labels },
      annotations: { summary },
      startsAt,
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
      generatorURL: 'http://prometheus.local:9090/graph',
    })),
  };
}
