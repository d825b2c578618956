/** Hides credentials in URLs (`https://user:token@host` → `https://***@host`) wherever they appear in text. */
export function redactUrl(text: string): string {
  // Up to the last @ before the path: a password may itself contain @.
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s]*@/gi, '$1***@');
}
