import { terms } from './segment.js';

export const escapeHtml = (text: string) =>
  text.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The most telling line of a section for a query (the one with the most query terms), cut to about `length`
 * characters around its first match, with the query's words marked `<em>…</em>` as OpenSearch marks them. The query
 * is read once, for all the sections found.
 */
export function snippetsFor(query: string, length = 160): (text: string) => string {
  const wanted = [...new Set(terms(query))]
    .filter((term) => term.length > 1 || /[a-z0-9]/.test(term))
    .sort((a, b) => b.length - a.length);
  const marks = wanted.length
    ? new RegExp(`(${wanted.map((term) => escapeRegExp(escapeHtml(term))).join('|')})`, 'gi')
    : undefined;
  return (text) => snippetOf(text, wanted, marks, length);
}

function snippetOf(text: string, wanted: string[], marks: RegExp | undefined, length: number): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(```|~~~)/.test(line));
  if (!lines.length) return '';
  const score = (line: string) => {
    const lower = line.toLowerCase();
    return wanted.filter((term) => lower.includes(term)).length;
  };
  let best = lines[0]!;
  let bestScore = score(best);
  for (const line of lines.slice(1)) {
    const lineScore = score(line);
    if (lineScore > bestScore) [best, bestScore] = [line, lineScore];
  }
  const lower = best.toLowerCase();
  const first = Math.min(...wanted.map((term) => lower.indexOf(term)).filter((at) => at >= 0), best.length);
  const start = first > length / 2 && best.length > length ? Math.min(first - 20, best.length - length) : 0;
  const cut = best.slice(Math.max(0, start), Math.max(0, start) + length);
  const marked = marks ? escapeHtml(cut).replace(marks, '<em>$1</em>') : escapeHtml(cut);
  return `${start > 0 ? '…' : ''}${marked}${start + length < best.length ? '…' : ''}`;
}
