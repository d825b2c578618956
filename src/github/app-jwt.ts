import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { SlipwayError } from '../core/errors.ts';

/** GitHub refuses an App JWT that lives longer than ten minutes; nine leaves room for clock drift. */
const LIFETIME_S = 9 * 60;
/** GitHub's advice: issue it 60 s in the past, against clocks that run ahead of GitHub's. */
const BACKDATE_S = 60;

/** Parses the App's private key (PKCS#1 as GitHub hands it out, or PKCS#8); CONFIG_INVALID when it is not one. */
export function appPrivateKey(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    // Never the key's text in the message.
    throw new SlipwayError('CONFIG_INVALID', `GITHUB_APP_PRIVATE_KEY is not an RSA private key in PEM form (${(err as Error).message.split('\n')[0]})`);
  }
}

/** The JWT an App authenticates as itself with (RS256, `iss` the App's id). */
export function signAppJwt(appId: string, key: KeyObject, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat: now - BACKDATE_S, exp: now + LIFETIME_S, iss: appId }));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${base64url(signature)}`;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}
