import { writeFileSync } from 'node:fs';

/** A few minutes of made-up log lines for three services, ending now, so `/logs payments` has something to show. */
export function writeDemoLogs(path: string, now = Date.now()): void {
  const lines: [number, string, string, string, string][] = [
    [540, 'payments', 'info', 'pay-1', 'GET /healthz 200 2ms'],
    [420, 'payments', 'warn', 'pay-1', 'upstream bank-gateway slow: 2380ms for POST /v2/charge'],
    [300, 'payments', 'error', 'pay-2', 'charge failed: context deadline exceeded (bank-gateway, 3000ms)'],
    [240, 'payments', 'error', 'pay-1', 'circuit breaker bank-gateway OPEN after 5 consecutive failures'],
    [120, 'payments', 'info', 'pay-2', 'circuit breaker bank-gateway HALF_OPEN'],
    [60, 'payments', 'info', 'pay-2', 'circuit breaker bank-gateway CLOSED'],
    [500, 'nginx', 'info', 'web-01', '10.0.3.7 "GET /api/orders HTTP/1.1" 200 512'],
    [
      200,
      'nginx',
      'error',
      'web-01',
      'connect() failed (111: Connection refused) while connecting to upstream payments-api',
    ],
    [30, 'nginx', 'info', 'web-01', '10.0.3.9 "POST /api/pay HTTP/1.1" 200 87'],
    [360, 'mysql', 'warn', 'db-1', 'Slave SQL thread lag 312s (Seconds_Behind_Master)'],
    [90, 'mysql', 'info', 'db-1', 'Slave SQL thread caught up'],
  ];
  writeFileSync(
    path,
    lines
      .map(([ago, service, level, host, message]) =>
        JSON.stringify({ '@timestamp': new Date(now - ago * 1000).toISOString(), service, level, host, message }),
      )
      .join('\n') + '\n',
  );
}
