import { terms } from './segment.js';

export const escapeHtml = (text: string) =>
  text.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The most telling line of a section for a query (the one with the most query terms), cut to about `length`
 * characters around its first match, with the query's words marked `<em>…</em>` as OpenSearch marks them.
 */
export function snippetFor(text: string, query: string, length = 160): string {
  const wanted = [...new Set(terms(query))]
    .filter((term) => term.length > 1 || /[a-z0-9]/.test(term))
    .sort((a, b) => b.length - a.length);
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(```|~~~)/.test(line));
  if (!lines.length) return '';
  const score = (line: string) => wanted.filter((term) => line.toLowerCase().includes(term)).length;
  const best = lines.reduce((top, line) => (score(line) > score(top) ? line : top), lines[0]!);
  const lower = best.toLowerCase();
  const first = Math.min(...wanted.map((term) => lower.indexOf(term)).filter((at) => at >= 0), best.length);
  const start = first > length / 2 && best.length > length ? Math.min(first - 20, best.length - length) : 0;
  const cut = best.slice(Math.max(0, start), Math.max(0, start) + length);
  const marked = wanted.length
    ? escapeHtml(cut).replace(
        new RegExp(`(${wanted.map((term) => escapeRegExp(escapeHtml(term))).join('|')})`, 'gi'),
        '<em>$1</em>',
      )
    : escapeHtml(cut);
  return `${start > 0 ? '…' : ''}${marked}${start + length < best.length ? '…' : ''}`;
}
