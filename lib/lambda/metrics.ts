import { channel } from 'node:diagnostics_channel';

/**
 * The platform's own metrics, each with the unit CloudWatch keeps it in. Their dimensions stay few and bounded (a
 * source, a severity, an outcome, a Feishu code), never an id or a fingerprint: every distinct set of dimension values
 * is a metric that CloudWatch bills for each month it is published.
 */
export const metricUnits = {
  /** Alerts accepted at ingest (Source, Severity). */
  AlertsReceived: 'Count',
  /** Alert events dedup held back as repeats inside their window (Source, Severity). */
  AlertsDeduplicated: 'Count',
  /** Firing events a silence or an inhibiting alert kept from anyone new (Source, Severity). */
  AlertsMuted: 'Count',
  /** Alerts opened or resolved for a route that tells someone (Source, Severity). */
  AlertsNotified: 'Count',
  /** Feishu calls that failed, each attempt counted, by Feishu's code (Code). */
  FeishuErrors: 'Count',
  /** From receiving the alert that put an incident's cards out of date to the round that brought them up to date. */
  AlertToCard: 'Milliseconds',
  /** Automation requests that ended (Outcome: succeeded, failed, refused, interrupted). */
  AutomationRuns: 'Count',
  /** Feishu deliveries to the webhook (Outcome: queued, duplicate, in_progress, ignored, card_action, challenge). */
  FeishuEvents: 'Count',
  /** Knowledge-base API searches (Result: hits, none): searches that find nothing show the runbooks' gaps. */
  KbSearches: 'Count',
  /** Incident timers the every-minute sweep found due: each one a wakeup that was lost or late. */
  SweptTimers: 'Count',
  /** SQS records a function reported failed (Function): SQS retries them, and Lambda's Errors does not count them. */
  RecordsFailed: 'Count',
} as const;

export type MetricName = keyof typeof metricUnits;

/** The CloudWatch namespace of these metrics (infra/monitoring.cjs alarms on it); the stage is a dimension. */
export const METRICS_NAMESPACE = 'OpenClaw';
export type Dimensions = Record<string, string>;

/** Where code reports what it counted or timed. The composition root wires the EMF emitter; tests keep what came. */
export interface Metrics {
  /** Adds `value` (1 by default) to a count; for a metric in milliseconds, records one duration. */
  add(name: MetricName, dimensions?: Dimensions, value?: number): void;
}

/** Metrics kept until `flush` writes them, once per invocation. */
export interface MetricsBuffer extends Metrics {
  flush(): void;
}

/** CloudWatch takes at most 100 values of one metric in one EMF document. */
const MAX_VALUES = 100;

interface Group {
  dimensions: Dimensions;
  values: Map<MetricName, number[]>;
}

/**
 * CloudWatch Embedded Metric Format: one JSON document a line, which CloudWatch Logs turns into metrics. Counts with the
 * same dimension values are summed into one line per flush; durations keep every value, so CloudWatch computes their
 * percentiles. Written here rather than with Powertools' Metrics: that library adds about 16 KB to a bundle, and the
 * webhook's 150 KB budget had 7 KB to spare (this takes under 2).
 */
export function emfMetrics(options: {
  namespace: string;
  /** Dimensions every metric carries (the stage). */
  dimensions: Dimensions;
  write?: (line: string) => void;
  now?: () => number;
}): MetricsBuffer {
  const write = options.write ?? writeEmf;
  const groups = new Map<string, Group>();
  return {
    add(name, dimensions = {}, value = 1) {
      const all = { ...options.dimensions, ...dimensions };
      const key = JSON.stringify(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
      const group = groups.get(key) ?? { dimensions: all, values: new Map() };
      groups.set(key, group);
      const values = group.values.get(name) ?? [];
      if (metricUnits[name] === 'Count' && values.length) values[0]! += value;
      else values.push(value);
      group.values.set(name, values);
    },
    flush() {
      const timestamp = (options.now ?? Date.now)();
      for (const group of groups.values()) {
        for (const line of emfDocuments(options.namespace, group, timestamp)) write(JSON.stringify(line));
      }
      groups.clear();
    },
  };
}

function emfDocuments(namespace: string, { dimensions, values }: Group, timestamp: number) {
  const documents: Record<string, unknown>[] = [];
  const longest = Math.max(...[...values.values()].map((list) => list.length));
  for (let start = 0; start < longest; start += MAX_VALUES) {
    const metrics = [...values].filter(([, list]) => list.length > start);
    const directive = {
      Namespace: namespace,
      Dimensions: [Object.keys(dimensions).sort()],
      Metrics: metrics.map(([name]) => ({ Name: name, Unit: metricUnits[name] })),
    };
    documents.push({
      _aws: { Timestamp: timestamp, CloudWatchMetrics: [directive] },
      ...dimensions,
      ...Object.fromEntries(
        metrics.map(([name, list]) => {
          const chunk = list.slice(start, start + MAX_VALUES);
          return [name, chunk.length === 1 ? chunk[0] : chunk];
        }),
      ),
    });
  }
  return documents;
}

/** The channel on which a process that hosts the functions itself (the local runtime) takes their EMF lines. */
export const EMF_CHANNEL = 'openclaw:emf';
const emfChannel = /* @__PURE__ */ channel(EMF_CHANNEL);

/**
 * An EMF line goes to stdout as the whole of its log event (console.log in Lambda would put a time and request id in
 * front, and CloudWatch extracts metrics only from a line that is the JSON document); in a process where something
 * listens on EMF_CHANNEL, to that instead.
 */
export function writeEmf(line: string): void {
  if (emfChannel.hasSubscribers) emfChannel.publish(line);
  else process.stdout.write(`${line}\n`);
}
