import type { Severity } from './severity.js';

/** Feishu accepts only its own colour names in `header.template`; severity words are not among them. */
export const headerColour: Record<Severity | 'resolved', string> = {
  critical: 'red',
  warning: 'orange',
  info: 'blue',
  resolved: 'green',
};

export const severityLabel: Record<Severity, string> = { critical: '严重', warning: '警告', info: '提示' };
