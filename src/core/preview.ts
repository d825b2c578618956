import { isHttpUrl } from './http-url.ts';

/**
 * Preview environments: each open pull request from the repository itself runs as environment
 * `pr-<number>` while it is open (a pipeline's `preview:` block). Pure.
 */

/** The environment a pull request's preview runs in. */
export function previewEnvironment(number: number): string {
  return `pr-${number}`;
}

/** The pull request number of a preview environment (`pr-12` → 12), undefined for any other. */
export function previewNumber(environment: string): number | undefined {
  const m = /^pr-([1-9]\d*)$/.exec(environment);
  return m ? Number(m[1]) : undefined;
}

/** What a preview's `url` may name: the pull request's number, and the preview's own port where its scheduler gives one. */
export interface PreviewFacts {
  readonly number: number;
  readonly port?: number;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = new Set(['number', 'port']);

/** The preview block's `url` with `{number}` and `{port}` filled in; undefined while a named value is not known. */
export function previewUrl(template: string, facts: PreviewFacts): string | undefined {
  let missing = false;
  const url = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = name === 'number' ? facts.number : name === 'port' ? facts.port : undefined;
    if (value === undefined) missing = true;
    return String(value);
  });
  return missing ? undefined : url;
}

/** Why `template` is not a preview URL (unknown placeholder, not http(s) once filled), or undefined when it is one. */
export function previewUrlProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) return `names {${unknown[0]}}; a preview URL may name only {number} (the pull request's) and {port} (the preview's own port)`;
  if (!isHttpUrl(previewUrl(template, { number: 1, port: 1 }))) return 'must be an http:// or https:// URL once {number} and {port} are filled in, e.g. http://127.0.0.1:{port}/ or https://pr-{number}.hello.example.com';
  return undefined;
}

/** A range of host ports, both ends included. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/** The most ports one range may name: allocation looks through it port by port. */
export const MAX_RANGE_PORTS = 1000;

/** `4100-4199` → { first: 4100, last: 4199 }; undefined when the text is not such a range. */
export function portRange(text: string): PortRange | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) return undefined;
  const [first, last] = [Number(m[1]), Number(m[2])];
  return first >= 1 && last <= 65535 && first <= last ? { first, last } : undefined;
}
