// The metric names a PromQL expression (or a Grafana query) reads, for checking dashboards and alert rules against
// what the services export. Not a PromQL parser: promtool parses every expression in CI (test/monitoring/promtool/);
// this only has to find the names, which sit outside label matchers {…}, ranges […] and strings, and are neither
// functions nor aggregations (followed by "("), keywords, nor the label lists of by/without/on/ignoring/group_*.
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'start', 'end', 'atan2']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const TOKEN =
  /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\$\{[^}]*\}|\$[A-Za-z_]\w*|[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[a-z]*|\S/g;

export function promqlMetricNames(expr: string): string[] {
  const tokens = expr.match(TOKEN) ?? [];
  const names = new Set<string>();
  let braces = 0;
  let brackets = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '{') braces++;
    else if (token === '}') braces--;
    else if (token === '[') brackets++;
    else if (token === ']') brackets--;
    if (braces > 0 || brackets > 0 || !/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(token)) continue;
    const next = tokens[i + 1];
    if (LABEL_LISTS.has(token) && next === '(') {
      while (i < tokens.length && tokens[i] !== ')') i++;
      continue;
    }
    // An aggregation's name is followed by "(" or by its grouping clause: `max by (a) (x)`.
    if (next === '(' || next === 'by' || next === 'without' || KEYWORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names].sort();
}

/** Names a Grafana template variable's query reads: `label_values(metric{…}, label)` or a plain PromQL query. */
export function grafanaQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\((.*),\s*[A-Za-z_]\w*\s*\)\s*$/.exec(query);
  return promqlMetricNames(labelValues ? labelValues[1] : query);
}

/** The metric names /metrics exposes: every `# TYPE` family, with a histogram's or summary's sample suffixes. */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
