import { z } from 'zod';

/** Nomad's constraint operators (`operator` in a job file's `constraint` block). */
const OPERATORS = [
  '=', '!=', '>', '>=', '<', '<=', 'regexp', 'set_contains', 'set_contains_all', 'set_contains_any',
  'version', 'semver', 'is_set', 'is_not_set', 'distinct_hosts', 'distinct_property',
] as const;
const WITHOUT_VALUE = new Set<string>(['is_set', 'is_not_set', 'distinct_hosts']);

const Constraint = z
  .strictObject({
    attribute: z.string().min(1, 'must name a node attribute, e.g. ${attr.kernel.name}'),
    operator: z.enum(OPERATORS).default('='),
    value: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  })
  .refine((c) => c.value !== undefined || WITHOUT_VALUE.has(c.operator), { message: 'needs a value for this operator', path: ['value'] });

/** Durations are whole seconds here; the job spec turns them into Nomad's nanoseconds. */
const Update = z
  .strictObject({
    max_parallel: z.number().int().min(1).default(1),
    min_healthy_time: z.number().int().min(0).default(10),
    healthy_deadline: z.number().int().min(1).default(300),
    progress_deadline: z.number().int().min(1).default(600),
    auto_revert: z.boolean().default(true),
    canary: z.number().int().min(0).default(0),
    /** default: true when there are canaries (Nomad refuses auto_promote without them) */
    auto_promote: z.boolean().optional(),
  })
  .superRefine((u, ctx) => {
    if (u.min_healthy_time >= u.healthy_deadline) {
      ctx.addIssue({ code: 'custom', path: ['min_healthy_time'], message: `must be less than healthy_deadline (${u.healthy_deadline}s): an allocation has to stay healthy that long before its deadline` });
    }
    if (u.healthy_deadline >= u.progress_deadline) {
      ctx.addIssue({ code: 'custom', path: ['healthy_deadline'], message: `must be less than progress_deadline (${u.progress_deadline}s)` });
    }
    if (u.auto_promote === true && u.canary === 0) {
      ctx.addIssue({ code: 'custom', path: ['auto_promote'], message: 'needs canary greater than 0' });
    }
  })
  .transform((u) => ({ ...u, auto_promote: u.auto_promote ?? u.canary > 0 }));

/**
 * The `nomad:` block of a deploy target: one service job with one task group running the
 * release's image with the docker driver, on a static port, gated by an HTTP service check and
 * rolled out by Nomad's update block (auto-revert on by default).
 */
export const NomadSettingsSchema = z.strictObject({
  /** job ID and name; default `<service>-<environment>` */
  job: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dots, dashes and underscores').max(128).optional(),
  datacenters: z.array(z.string().min(1)).min(1, 'must name at least one datacenter').default(['dc1']),
  count: z.number().int().min(1).default(1),
  /** static port the task listens on; PORT is set to it */
  port: z.number().int().min(1).max(65535),
  health_path: z.string().startsWith('/', 'must start with /').default('/'),
  resources: z
    .strictObject({
      /** MHz */
      cpu: z.number().int().min(1).default(100),
      /** MB; Nomad's minimum is 10 */
      memory: z.number().int().min(10).default(128),
    })
    .prefault({}),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'), z.string()).default({}),
  constraints: z.array(Constraint).optional(),
  update: Update.prefault({}),
});

/** A validated `nomad:` block, defaults filled in. */
export type NomadSettings = z.output<typeof NomadSettingsSchema>;
