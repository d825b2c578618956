import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { z } from 'zod';

/** GitHub's own payload types, as @octokit/webhooks publishes them. */
export type PushEvent = EmitterWebhookEvent<'push'>['payload'];
export type PullRequestEvent = EmitterWebhookEvent<'pull_request'>['payload'];

/*
 * The fields Slipway reads, checked at run time. A field GitHub always sends and Slipway cannot
 * do without is required; the rest may be absent, but never of another type. Unknown fields are
 * ignored and dropped, so a body's other parts (however odd or deep) are never walked.
 */
const Repository = z.object({ full_name: z.string(), clone_url: z.string(), default_branch: z.string().optional() });
/** present when a GitHub App receives the delivery: its tokens for this repository come from this installation */
const Installation = z.object({ id: z.number().int().positive() }).optional();

export const PushFields = z.object({
  ref: z.string(),
  after: z.string(),
  before: z.string().optional(),
  deleted: z.boolean().optional(),
  repository: Repository,
  installation: Installation,
  head_commit: z
    .object({
      message: z.string().optional(),
      author: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
    })
    .nullable()
    .optional(),
  pusher: z.object({ name: z.string().optional() }).optional(),
});

export const PullRequestFields = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  repository: Repository,
  sender: z.object({ login: z.string().optional() }).optional(),
  pull_request: z.object({
    title: z.string().optional(),
    // ISO 8601 time the pull request closed (GitHub's clock); null while open
    closed_at: z.string().nullable().optional(),
    user: z.object({ login: z.string().optional() }).nullable().optional(),
    head: z.object({
      ref: z.string(),
      sha: z.string(),
      // null when the fork was deleted
      repo: z.object({ full_name: z.string(), clone_url: z.string() }).nullable().optional(),
    }),
    base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).optional() }),
  }),
});

/**
 * What Slipway reads of a pull_request sent to a GitHub App. Apart from PullRequestFields because
 * a few pull_request actions' published types (ones Slipway does not build) lack `installation`,
 * which would fail the subset check below for the whole union.
 */
export const PullRequestDelivery = PullRequestFields.extend({ installation: Installation });

/**
 * Compile-time check that a schema stays a subset of GitHub's payload type: it names no field
 * GitHub's type lacks (at any depth), and every payload GitHub's type allows passes it.
 */
export type FitsGitHub<Schema extends z.ZodType, Payload> = [StrayKeys<z.output<Schema>, Payload>] extends [never]
  ? [Payload] extends [z.input<Schema>]
    ? true
    : false
  : false;
type StrayKeys<S, T> = S extends object
  ? { [K in keyof S]-?: K extends keyof NonNullable<T> ? StrayKeys<NonNullable<S[K]>, NonNullable<T>[K]> : K }[keyof S]
  : never;
type Assert<T extends true> = T;
export type SchemasFitGitHub = [Assert<FitsGitHub<typeof PushFields, PushEvent>>, Assert<FitsGitHub<typeof PullRequestFields, PullRequestEvent>>];

export type Checked<T> = { readonly ok: true; readonly fields: T } | { readonly ok: false; readonly reason: string };

/** The fields of `payload` that `schema` names, or a reason naming the first field that is wrong. */
export function readFields<S extends z.ZodType>(schema: S, payload: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, fields: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const value = valueAt(payload, issue?.path ?? []);
  if (value === undefined) return { ok: false, reason: `payload has no ${path}` };
  const wanted = issue?.code === 'invalid_type' ? (ARTICLE[issue.expected] ?? issue.expected) : 'a positive whole number';
  return { ok: false, reason: `payload field ${path} is ${describe(value)} where GitHub sends ${wanted}` };
}

const ARTICLE: Record<string, string> = { string: 'a string', object: 'an object', boolean: 'true or false', number: 'a number', int: 'a whole number' };

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

/** The value's kind only: a reason never echoes what a sender put in the field. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return !Number.isInteger(value) ? 'a fraction' : value > 0 ? 'a number' : 'zero or less';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
