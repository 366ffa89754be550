import * as z from 'zod';

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `300`, `300s`, `5m`, `1h30m`, `7d`, `1w` → seconds. */
export function parseDurationSeconds(value: string | number): number {
  if (typeof value === 'number') return value;
  const compact = value.replace(/\s+/g, '');
  if (/^\d+$/.test(compact)) return Number(compact);
  const parts = [...compact.matchAll(/(\d+)([smhdw])/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== compact) {
    throw new Error(`"${value}" is not a duration (examples: 300s, 5m, 1h30m, 7d)`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit!]!, 0);
}

/** A duration in config: seconds as a number, or text such as `5m`, `1h30m`, `7d`; always seconds once parsed. */
export const durationSeconds = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  try {
    return parseDurationSeconds(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
