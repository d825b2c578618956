import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

const SCHEME = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * SLIPWAY_API_TOKEN for machines: a request passes with `Authorization: Bearer <token>`, else it
 * gets 401 with `WWW-Authenticate: Bearer` and a sentence saying what to send. The tokens are
 * compared as SHA-256 digests with `timingSafeEqual`, so neither the content nor the length of
 * the configured token leaks through response times. `signedIn` (GitHub sign-in, when
 * configured) lets a signed-in person's browser in too. With neither configured, everything
 * passes.
 */
export function requireBearer(token: string | undefined, signedIn?: (req: Request) => boolean): RequestHandler {
  if (token === undefined && signedIn === undefined) return (_req, _res, next) => next();
  const expected = digest(token ?? '');
  return (req, res, next) => {
    const sent = SCHEME.exec(req.get('authorization') ?? '')?.[1];
    if (token !== undefined && sent !== undefined && timingSafeEqual(digest(sent), expected)) return next();
    if (signedIn?.(req)) return next();
    // RFC 6750 §3: no error code when no credentials were sent, `invalid_token` when they were wrong.
    res.set('WWW-Authenticate', sent === undefined ? 'Bearer realm="slipway"' : 'Bearer realm="slipway", error="invalid_token"');
    const how = [token !== undefined ? 'send the header "Authorization: Bearer <SLIPWAY_API_TOKEN>"' : '', signedIn ? 'sign in at /auth/github/login' : ''].filter(Boolean).join(', or ');
    res.status(401).json({
      error: sent === undefined
        ? `this route needs credentials: ${how}`
        : `the bearer token is not accepted (it must equal SLIPWAY_API_TOKEN): ${how}`,
      ...(signedIn ? { signIn: '/auth/github/login' } : {}),
    });
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
