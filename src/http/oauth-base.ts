/** Where GitHub's OAuth web flow lives for this API: github.com for api.github.com, else the API's own origin (GitHub Enterprise, emulators). */
export function oauthBase(apiUrl: string): string {
  const url = new URL(apiUrl);
  return url.host === 'api.github.com' ? 'https://github.com' : url.origin;
}
