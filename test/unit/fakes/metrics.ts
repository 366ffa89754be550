import type { Dimensions, MetricName, Metrics } from '../../../lib/lambda/metrics.js';

/** Metrics that keep what was added, for tests to read back. */
export class RecordingMetrics implements Metrics {
  readonly added: { name: MetricName; dimensions: Dimensions; value: number }[] = [];

  add(name: MetricName, dimensions: Dimensions = {}, value = 1) {
    this.added.push({ name, dimensions, value });
  }

  /** The values added to `name` whose dimensions include every one of `where`. */
  values(name: MetricName, where: Dimensions = {}) {
    return this.added
      .filter((entry) => entry.name === name)
      .filter((entry) => Object.entries(where).every(([key, value]) => entry.dimensions[key] === value))
      .map((entry) => entry.value);
  }

  /** The count of `name` (the sum of its values) where its dimensions include `where`. */
  total(name: MetricName, where: Dimensions = {}) {
    return this.values(name, where).reduce((sum, value) => sum + value, 0);
  }
}
