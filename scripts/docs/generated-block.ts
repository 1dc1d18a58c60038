const markers = (name: string) => [`<!-- generated:${name} (npm run docs) -->`, `<!-- end:${name} -->`] as const;

/** The text between a generated block's markers. */
export function generatedBlock(text: string, name: string): string | null {
  const [start, end] = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  return from < 0 || to < from ? null : text.slice(from + start.length, to).trim();
}

export function replaceGenerated(text: string, name: string, content: string): string {
  const [start, end] = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
