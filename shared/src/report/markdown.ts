import { markdownTable } from 'markdown-table';

/**
 * Escapes text from users' data or repositories (class names, model names, branches) for
 * markdown: no HTML, no table breaks, no emphasis or links, no @-mentions.
 */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/@/g, '@\u200b');
}

/** A GFM table of already-escaped cells. */
export function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r' | 'c')[]): string {
  return markdownTable([header, ...rows.map((r) => r.map(String))], { align });
}
