/** Hides credentials in URLs (`https://user:token@host` → `https://***@host`) wherever they appear in text. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
