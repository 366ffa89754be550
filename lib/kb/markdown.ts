import { parse } from 'yaml';
import * as z from 'zod';

/**
 * A safe action a runbook declares in its front matter (`actions:`), with arguments that may name the alert's fields
 * (`'{{host}}'`). Only its shape is checked here; the action registry and its schemas decide, for a given alert,
 * whether it is offered at all.
 */
export const runbookActionsSchema = z
  .array(
    z.strictObject({
      action: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'an action name such as restart_service'),
      args: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])).default({}),
    }),
  )
  .max(5);
export type RunbookAction = z.infer<typeof runbookActionsSchema>[number];

export interface Article {
  /** Stable id: the file name or what POST /kb/articles gave. */
  id: string;
  title: string;
  tags: string[];
  body: string;
  /** Where it came from: a path, a URL, or `chat` for captured knowledge. */
  source: string;
  /** The safe actions it suggests for the alerts it matches. */
  actions?: RunbookAction[];
}

/** One searchable piece of an article: the text under one heading, with the heading path as its section name. */
export interface Section {
  id: string;
  articleId: string;
  title: string;
  section: string;
  text: string;
  source: string;
  tags: string[];
}

/** What a section's vector is made from, for hybrid search: its title, heading and text, cut to what a model takes. */
export const embeddingText = (section: Section) =>
  `${section.title}\n${section.section}\n${section.text}`.slice(0, 8_000);

/** Splits `---` front matter (YAML: title, tags, actions) from the markdown body; malformed actions are left out. */
export function parseFrontMatter(markdown: string): {
  meta: { title?: string; tags?: string[]; actions?: RunbookAction[] };
  body: string;
} {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!match) return { meta: {}, body: markdown };
  let meta: { title?: unknown; tags?: unknown; actions?: unknown } = {};
  try {
    meta = (parse(match[1]!) as typeof meta) ?? {};
  } catch {
    meta = {};
  }
  const tags = Array.isArray(meta.tags) ? meta.tags.map(String) : typeof meta.tags === 'string' ? [meta.tags] : [];
  const actions = runbookActionsSchema.safeParse(meta.actions);
  return {
    meta: {
      title: typeof meta.title === 'string' ? meta.title : undefined,
      tags,
      ...(actions.success && actions.data.length ? { actions: actions.data } : {}),
    },
    body: markdown.slice(match[0].length),
  };
}

/** An article from a markdown file: title from front matter, else the first `#` heading, else the id. */
export function articleFromMarkdown(id: string, markdown: string, source: string): Article {
  const { meta, body } = parseFrontMatter(markdown);
  const heading = /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
  return {
    id,
    title: meta.title ?? heading ?? id,
    tags: meta.tags ?? [],
    body,
    source,
    ...(meta.actions ? { actions: meta.actions } : {}),
  };
}

/**
 * Cuts an article at its headings (outside code fences), so a hit points at the section that answers. Text before
 * the first heading is the article's introduction (section = its title). Empty sections are dropped.
 */
export function sectionsOf(article: Article): Section[] {
  const sections: Section[] = [];
  const path: string[] = [];
  let current: string[] = [];
  let name = article.title;
  let inFence = false;
  const flush = () => {
    const text = current.join('\n').trim();
    if (text)
      sections.push({
        id: `${article.id}#${sections.length}`,
        articleId: article.id,
        title: article.title,
        section: name,
        text,
        source: article.source,
        tags: article.tags,
      });
    current = [];
  };
  for (const line of article.body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) {
      current.push(line);
      continue;
    }
    flush();
    const level = heading[1]!.length;
    path.length = Math.max(0, level - 2); // `#` is the article title; `##` starts the path
    if (level >= 2) path.push(heading[2]!);
    name = path.length ? path.join(' / ') : article.title;
  }
  flush();
  // An article with no text yet (a stub) is still found by its title.
  if (!sections.length)
    sections.push({
      id: `${article.id}#0`,
      articleId: article.id,
      title: article.title,
      section: article.title,
      text: '',
      source: article.source,
      tags: article.tags,
    });
  return sections;
}
