import { z } from 'zod';

/** Control characters (newlines included) would end or corrupt a unit file line. */
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** fleet's own rule for machine metadata keys (`api/machines.go`). */
const METADATA_KEY = /^[A-Za-z0-9_.-]+$/;
/** One `key=value` word: no spaces, quotes, `=` or backslashes, which fleet would split or unquote. */
const METADATA_VALUE = /^[A-Za-z0-9_.:\/+-]+$/;

const EnvValue = z.string().regex(NO_CONTROL, 'must not contain newlines or other control characters');

/**
 * The `fleet:` block of a deploy target: `instances` template units `<service>-<environment>@N`,
 * each a container on the host network of its machine listening on `port` (PORT is set), spread
 * over machines with `X-Fleet Conflicts`, optionally only on machines with `machine_metadata`.
 */
export const FleetSettingsSchema = z.strictObject({
  instances: z.number().int().min(1).max(100).default(1),
  port: z.number().int().min(1).max(65535),
  health_path: z.string().regex(/^\/[^\s#]*$/, 'must start with / and contain no spaces').default('/'),
  env: z
    .record(z.string().regex(VARIABLE, 'must be a variable name'), EnvValue)
    .refine((env) => !('PORT' in env), { message: 'PORT is set from port', path: ['PORT'] })
    .default({}),
  machine_metadata: z
    .record(z.string().regex(METADATA_KEY, 'must be letters, digits, ., _ or -'), z.string().regex(METADATA_VALUE, 'must be one word of letters, digits, . _ : / + or -'))
    .optional(),
});

export type FleetSettings = z.infer<typeof FleetSettingsSchema>;
