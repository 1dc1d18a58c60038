/** A request target split into its path and its query (with the `?`), as the client sent them. */
export interface RequestTarget {
  path: string;
  query: string;
}

// Encoded dots, slashes, backslashes and percents (double encoding) and control characters only serve to
// make one layer read a path differently from the next; our routes never need them.
const AMBIGUOUS = /%(2e|2f|5c|25)|\\|#|[\u0000-\u001f\u007f]/i;

/**
 * The request target when its path means the same to every parser on the way, else why not: refused
 * before routing, so what is routed is what is forwarded.
 */
export function checkRequestTarget(url: string): RequestTarget | { refused: string } {
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const query = at === -1 ? '' : url.slice(at);
  if (!path.startsWith('/')) return { refused: 'the request path must start with /' };
  if (AMBIGUOUS.test(path)) return { refused: 'the request path contains an encoded or control character it must not' };
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '.' || segment === '..') return { refused: 'the request path contains a dot segment' };
    if (segment === '' && index < segments.length - 1) return { refused: 'the request path contains an empty segment' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { refused: 'the request path is not valid percent-encoding' };
    }
    if (AMBIGUOUS.test(decoded)) return { refused: 'the request path contains an encoded or control character it must not' };
  }
  return { path, query };
}
