import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EMF_CHANNEL } from '../../lib/lambda/metrics.js';

/** Upper bounds of the latency histogram, in milliseconds (the alert→card goals are 100 ms p50 and 300 ms p99). */
const BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

interface Series {
  labels: Record<string, string>;
  /** A count's total; a duration's sum. */
  sum: number;
  /** Durations only: how many, and how many at or under each bucket's bound. */
  count: number;
  buckets: number[];
}

interface Family {
  kind: 'counter' | 'histogram';
  series: Map<string, Series>;
}

interface EmfDocument {
  _aws?: { CloudWatchMetrics?: { Dimensions?: string[][]; Metrics?: { Name: string; Unit?: string }[] }[] };
  [field: string]: unknown;
}

/** `AlertToCard` → `openclaw_alert_to_card`. */
const snake = (name: string) => `openclaw_${name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase()}`;
const labelText = (labels: Record<string, string>, extra: Record<string, string> = {}) => {
  const entries = Object.entries({ ...labels, ...extra });
  if (!entries.length) return '';
  const escaped = entries.map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `{${escaped.join(',')}}`;
};

/**
 * The functions' EMF lines, as the local runtime hears them in-process (lib/lambda/metrics.ts writes to EMF_CHANNEL
 * when someone listens), kept as Prometheus counters and histograms: what CloudWatch makes of the same lines in AWS.
 * A count becomes `openclaw_<name>_total`, a duration `openclaw_<name>_milliseconds`; dimensions become labels.
 */
export class LocalMetrics {
  private readonly families = new Map<string, Family>();
  private readonly listener = (line: unknown) => this.record(String(line));

  listen(): void {
    subscribe(EMF_CHANNEL, this.listener);
  }

  close(): void {
    unsubscribe(EMF_CHANNEL, this.listener);
  }

  /** One EMF document; a line that is not one is ignored (it is a log line, not ours to judge). */
  record(line: string): void {
    let document: EmfDocument;
    try {
      document = JSON.parse(line) as EmfDocument;
    } catch {
      return;
    }
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      const labels = Object.fromEntries(
        (directive.Dimensions?.[0] ?? []).map((name) => [name.toLowerCase(), String(document[name] ?? '')]),
      );
      for (const { Name, Unit } of directive.Metrics ?? []) {
        const values = ([] as unknown[]).concat(document[Name]).filter((v): v is number => typeof v === 'number');
        if (Unit === 'Milliseconds') this.observe(`${snake(Name)}_milliseconds`, labels, values);
        else this.add(`${snake(Name)}_total`, labels, values);
      }
    }
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  exposition(): string {
    const lines: string[] = [];
    for (const [name, family] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# TYPE ${name} ${family.kind}`);
      for (const series of family.series.values()) {
        if (family.kind === 'counter') {
          lines.push(`${name}${labelText(series.labels)} ${series.sum}`);
          continue;
        }
        BUCKETS_MS.forEach((bound, i) =>
          lines.push(`${name}_bucket${labelText(series.labels, { le: String(bound) })} ${series.buckets[i]}`),
        );
        lines.push(`${name}_bucket${labelText(series.labels, { le: '+Inf' })} ${series.count}`);
        lines.push(`${name}_sum${labelText(series.labels)} ${series.sum}`);
        lines.push(`${name}_count${labelText(series.labels)} ${series.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private seriesOf(name: string, kind: Family['kind'], labels: Record<string, string>): Series {
    const family = this.families.get(name) ?? { kind, series: new Map() };
    this.families.set(name, family);
    const key = labelText(labels);
    const series = family.series.get(key) ?? { labels, sum: 0, count: 0, buckets: BUCKETS_MS.map(() => 0) };
    family.series.set(key, series);
    return series;
  }

  private add(name: string, labels: Record<string, string>, values: number[]) {
    const series = this.seriesOf(name, 'counter', labels);
    for (const value of values) series.sum += value;
  }

  private observe(name: string, labels: Record<string, string>, values: number[]) {
    const series = this.seriesOf(name, 'histogram', labels);
    for (const value of values) {
      series.sum += value;
      series.count += 1;
      BUCKETS_MS.forEach((bound, i) => {
        if (value <= bound) series.buckets[i]! += 1;
      });
    }
  }
}
