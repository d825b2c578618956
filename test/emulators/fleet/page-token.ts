// fleet's page tokens (api/pagination.go): base64url (padded) of two little-endian uint16s, the
// page size ("limit") and the page number from 1 (test-only code).

/** The token of page `page` at `limit` items a page. */
export function encodePageToken(limit: number, page: number): string {
  const buf = Buffer.alloc(4);
  buf.writeUInt16LE(limit, 0);
  buf.writeUInt16LE(page, 2);
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The page a `nextPageToken` query asks for: 1 without one; an error message (fleet answers 400)
 * for more than one token, bad base64, too few bytes, another limit or page 0.
 */
export function pageFromQuery(query: URLSearchParams, limit: number): number | { error: string } {
  const values = query.getAll('nextPageToken');
  if (values.length > 1) return { error: 'too many values for page token' };
  if (values.length === 0) return 1;
  const value = values[0]!;
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(value) || value.length % 4 !== 0) return { error: `illegal base64 data at input byte ${Math.max(0, value.search(/[^A-Za-z0-9_-]/))}` };
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.length === 0) return { error: 'EOF' };
  if (bytes.length < 4) return { error: 'unexpected EOF' };
  if (bytes.readUInt16LE(0) !== limit) return { error: `token limit must be ${limit}` };
  const page = bytes.readUInt16LE(2);
  if (page === 0) return { error: 'token page must be greater than zero' };
  return page;
}

/** One page of `all` and the token of the next page, if there is one (fleet's extract…PageData). */
export function pageOf<T>(all: readonly T[], limit: number, page: number): { items: T[]; next?: string } {
  const start = (page - 1) * limit;
  const stop = page * limit;
  if (start >= all.length) return { items: [] };
  // like fleet, a full last page still gets a token, for a next page that is empty
  return stop <= all.length ? { items: all.slice(start, stop), next: encodePageToken(limit, page + 1) } : { items: all.slice(start) };
}
