import type { Logger } from '../../../lib/lambda/logger.js';

/** A logger that keeps its lines instead of printing them. */
export function recordingLogger(
  lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [],
): Logger & { lines: typeof lines } {
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, fields });
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: () => recordingLogger(lines),
  };
}
