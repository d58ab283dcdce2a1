/**
 * @module tools/report-kit/markdown-table — pure: Markdown tables and the escaping that keeps a
 * table a table, for the benchmark's and the simulator's reports.
 */

/** Text made safe for a table cell or list item: no pipes, no line breaks, nothing that opens an HTML tag. */
export function markdownText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/<(?=[A-Za-z/!?])/g, '&lt;').replace(/\s*\n\s*/g, ' ');
}

/** A Markdown table; `align` has one letter per column (l, c or r), numbers right by default. */
export function markdownTable(header: readonly string[], body: readonly string[][], align = `l${'r'.repeat(header.length - 1)}`): string[] {
  const rule = header.map((_, i) => ({ l: '---', c: ':---:', r: '---:' })[align[i] ?? 'l'] ?? '---');
  const line = (cells: readonly string[]): string => `| ${cells.map(markdownText).join(' | ')} |`;
  return [line(header), `| ${rule.join(' | ')} |`, ...body.map(line), ''];
}
