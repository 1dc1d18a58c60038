/** `components[2].config.size` → `['components', 2, 'config', 'size']` (the server's path format, libs/errors). */
export function parsePath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(`"${match[3]}"`) as string);
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

interface Line {
  number: number;
  dashIndent: number | null;
  contentIndent: number;
  key: string | null;
}

function scan(text: string): Line[] {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const indent = raw.length - trimmed.length;
    const dash = /^-(\s+|$)/.exec(trimmed);
    const content = dash ? trimmed.slice(dash[0].length) : trimmed;
    const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s:#][^:#]*?)\s*:(\s|$)/.exec(content)?.[1]?.replace(/^["']|["']$/g, '') ?? null;
    lines.push({ number: index + 1, dashIndent: dash ? indent : null, contentIndent: dash ? indent + dash[0].length : indent, key });
  });
  return lines;
}

/**
 * The 1-based line of a YAML document where `path` is written (block style, as js-yaml dumps it), or
 * the line of its nearest ancestor found; 1 when nothing matches. Good enough to point at an error.
 */
export function lineOfPath(text: string, path: string): number {
  const lines = scan(text);
  let start = 0;
  let end = lines.length;
  let found = 1;
  for (const segment of parsePath(path)) {
    const range = lines.slice(start, end);
    if (range.length === 0) break;
    if (typeof segment === 'number') {
      const dashes = range.filter((l) => l.dashIndent !== null);
      if (dashes.length === 0) break;
      const level = Math.min(...dashes.map((l) => l.dashIndent!));
      const items = range.filter((l) => l.dashIndent === level);
      const item = items[segment];
      if (!item) break;
      found = item.number;
      start = lines.indexOf(item);
      const next = items[segment + 1];
      end = next ? lines.indexOf(next) : end;
    } else {
      const level = range[0].contentIndent;
      const at = range.findIndex((l) => l.contentIndent === level && l.key === segment);
      if (at < 0) break;
      const line = range[at];
      found = line.number;
      start = start + at + 1;
      let stop = start;
      while (
        stop < end &&
        (lines[stop].contentIndent > level ||
          (lines[stop].dashIndent !== null && lines[stop].dashIndent! >= level && lines[stop].dashIndent! > (line.dashIndent ?? -1)))
      )
        stop++;
      end = stop;
    }
  }
  return found;
}
