import { type Colour, paint, terminalSafe, type TerminalStyle } from './terminal-style.ts';

/** A table cell: text, and the colour it has on a colour terminal. */
export type Cell = string | { readonly text: string; readonly colour?: Colour };

export interface TableOptions {
  /** the column cut first (with "…") to fit a terminal's width; by default the last */
  readonly flexible?: number;
}

/**
 * Rows as aligned columns separated by two spaces, a header first, no tabs; every cell made safe
 * for a terminal. On a terminal the flexible column is cut to fit its width and cells are coloured;
 * piped, nothing is cut or coloured. Pure.
 */
export function textTable(header: readonly string[], rows: readonly (readonly Cell[])[], style: TerminalStyle, options: TableOptions = {}): string {
  const flexible = options.flexible ?? header.length - 1;
  const cells = [header.map((h) => ({ text: h, colour: 'bold' as Colour })), ...rows.map((row) => row.map(cellOf))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => [...(row[c]?.text ?? '')].length)));
  if (style.width !== undefined) {
    const others = widths.reduce((sum, w, c) => (c === flexible ? sum : sum + w), 0) + 2 * (widths.length - 1);
    widths[flexible] = Math.max(Math.min(widths[flexible]!, style.width - others), Math.min(widths[flexible]!, 10));
  }
  const lines = cells.map((row) =>
    row
      .map((cell, c) => {
        const text = cut(cell.text, widths[c]!);
        return paint(style, cell.colour, text) + ' '.repeat(widths[c]! - [...text].length);
      })
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

function cellOf(cell: Cell): { text: string; colour?: Colour } {
  return typeof cell === 'string' ? { text: terminalSafe(cell) } : { text: terminalSafe(cell.text), colour: cell.colour };
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
