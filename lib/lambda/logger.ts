import { ExpectedError } from './errors.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
/** LOG_LEVEL may also be `silent` (tests). */
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function serialiseError(value: unknown): unknown {
  // A validation error is data, not a crash: its issues say everything, a stack trace adds nothing.
  if (value instanceof Error && 'issues' in value && Array.isArray(value.issues)) {
    return {
      name: value.name,
      issues: (value.issues as { path: PropertyKey[]; message: string }[]).map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      ),
    };
  }
  // Expected: its message says what happened; where in the code it was noticed adds nothing.
  if (value instanceof ExpectedError) return { name: value.name, message: value.message };
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * How deep and how wide a logged value is written: a request can nest thousands of levels, and logging it must not
 * throw.
 */
const MAX_DEPTH = 8;
const MAX_KEYS = 50;
const MAX_STRING = 4000;

/** A copy of `value` cut at MAX_DEPTH levels, MAX_KEYS entries per level and MAX_STRING characters per string. */
function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => bounded(item, depth + 1));
  const entries = Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS);
  return Object.fromEntries(entries.map(([key, item]) => [key, bounded(item, depth + 1)]));
}

/** One JSON object per line, so CloudWatch Logs Insights can query every field. */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  const threshold = order[(process.env.LOG_LEVEL as Level | 'silent') ?? 'info'] ?? order.info;
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (order[level] < threshold) return;
    const entry: Record<string, unknown> = { level, time: new Date().toISOString(), message, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) entry[key] = bounded(serialiseError(value));
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch (error) {
      // A value JSON cannot write (a BigInt, say): the line still goes out, saying so.
      line = JSON.stringify({ level, time: entry.time, message, ...base, unloggable: String(error) });
    }
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const logger = createLogger({ service: 'openclaw' });
