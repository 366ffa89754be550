/** Our three levels, worst first. Apart from the alert model, so cards and incidents do not bundle its schema. */
export const severities = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof severities)[number];
