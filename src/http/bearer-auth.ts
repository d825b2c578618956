import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const SCHEME = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * SLIPWAY_API_TOKEN for machines: a request passes with `Authorization: Bearer <token>`, else it
 * gets 401 with `WWW-Authenticate: Bearer` and a sentence saying what to send. The tokens are
 * compared as SHA-256 digests with `timingSafeEqual`, so neither the content nor the length of
 * the configured token leaks through response times. `undefined` (no token configured) lets
 * everything through.
 */
export function requireBearer(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, res, next) => {
    const sent = SCHEME.exec(req.get('authorization') ?? '')?.[1];
    if (sent !== undefined && timingSafeEqual(digest(sent), expected)) return next();
    // RFC 6750 §3: no error code when no credentials were sent, `invalid_token` when they were wrong.
    res.set('WWW-Authenticate', sent === undefined ? 'Bearer realm="slipway"' : 'Bearer realm="slipway", error="invalid_token"');
    res.status(401).json({
      error: sent === undefined
        ? 'this route needs the API token: send the header "Authorization: Bearer <SLIPWAY_API_TOKEN>"'
        : 'the bearer token does not match SLIPWAY_API_TOKEN; send "Authorization: Bearer <SLIPWAY_API_TOKEN>" with the configured token',
    });
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
