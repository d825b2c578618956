import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Values a browser keeps for us and gives back unchanged: `base64url(JSON).base64url(HMAC-SHA256)`.
 * Each carries its own expiry (`exp`, epoch ms); a value whose MAC does not match, that does not
 * parse, or that has expired reads as absent.
 */
export interface SignedCookies {
  seal(value: Record<string, unknown>, ttlMs: number): string;
  open<T extends Record<string, unknown>>(sealed: string | undefined): T | undefined;
}

export function signedCookies(key: Buffer, now: () => number = Date.now): SignedCookies {
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();
  return {
    seal(value, ttlMs) {
      const data = Buffer.from(JSON.stringify({ ...value, exp: now() + ttlMs })).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },
    open<T extends Record<string, unknown>>(sealed: string | undefined): T | undefined {
      const [data, sig, extra] = (sealed ?? '').split('.');
      if (!data || !sig || extra !== undefined) return undefined;
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(data);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const value = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as T & { exp?: unknown };
        return typeof value.exp === 'number' && value.exp > now() ? value : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The cookies of a `Cookie` header, by name (first one wins). */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 1) continue;
    const name = part.slice(0, at).trim();
    if (!out.has(name)) out.set(name, part.slice(at + 1).trim());
  }
  return out;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when asked; `maxAgeS` 0 deletes it. */
export function cookie(name: string, value: string, o: { maxAgeS: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; Max-Age=${o.maxAgeS}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
}
