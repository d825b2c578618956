import assert from 'node:assert/strict';

export const setCookies = (res: Response) => res.headers.getSetCookie();
/** `name=value` of the cookie `res` sets, if it sets one by that name */
export const cookieValue = (res: Response, name: string) => setCookies(res).find((c) => c.startsWith(`${name}=`))?.split(';')[0];

/**
 * A browser going through the whole GitHub sign-in flow: Slipway → GitHub's (emulated) authorize
 * page → Slipway's callback. `session` is the `slipway_session=…` cookie the callback set, if any.
 */
export async function signIn(url: string, next = '/builds/7') {
  const login = await fetch(`${url}/auth/github/login?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const stateCookie = cookieValue(login, 'slipway_oauth_state')!;
  const authorize = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  assert.equal(authorize.status, 302);
  const callback = await fetch(authorize.headers.get('location')!, { redirect: 'manual', headers: { cookie: stateCookie } });
  return { login, authorize, callback, session: cookieValue(callback, 'slipway_session') };
}
