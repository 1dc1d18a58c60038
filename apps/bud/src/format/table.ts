export interface Column {
  header: string;
  align?: 'left' | 'right';
}

const GAP = '  ';

/** Text from a server may hold control characters; shown raw they could drive the terminal. */
export function cleanCell(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

/** An aligned table with an upper-case header row; no trailing spaces. */
export function renderTable(columns: ReadonlyArray<string | Column>, rows: ReadonlyArray<readonly string[]>): string {
  const specs = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const cells = [specs.map((c) => c.header.toUpperCase()), ...rows.map((row) => specs.map((_, i) => cleanCell(row[i] ?? '')))];
  const widths = specs.map((_, i) => Math.max(...cells.map((row) => lengthOf(row[i]))));
  return cells
    .map((row) =>
      row
        .map((cell, i) =>
          specs[i].align === 'right' ? ' '.repeat(widths[i] - lengthOf(cell)) + cell : cell + ' '.repeat(widths[i] - lengthOf(cell)),
        )
        .join(GAP)
        .trimEnd(),
    )
    .join('\n');
}

/** Two or more columns without a header: help text, `Label:  value` blocks. */
export function renderColumns(rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  if (rows.length === 0) return '';
  const count = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(...rows.map((r) => lengthOf(cleanCell(r[i] ?? '')))));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => cleanCell(cell) + (i < row.length - 1 ? ' '.repeat(widths[i] - lengthOf(cleanCell(cell))) : ''))
          .join(GAP)
          .trimEnd(),
    )
    .join('\n');
}

/** `Label:  value` lines, labels aligned. */
export function renderFields(fields: ReadonlyArray<readonly [string, string]>, indent = ''): string {
  return renderColumns(
    fields.map(([label, value]) => [`${label}:`, value]),
    indent,
  );
}

function lengthOf(text: string): number {
  return [...text].length;
}
