/** What the AWS SDK's default chains read from the environment, pointed away from this machine's own setup. */
const FAKE: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: 'AKIASLIPWAYTEST00000',
  AWS_SECRET_ACCESS_KEY: 'slipway-test-secret-access-key',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: '/nonexistent/slipway-test/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/slipway-test/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * Sets fake static AWS credentials on process.env for the SDK's credential chain (the
 * emulators check only the shape of the signature), plus `extra` (e.g. `AWS_REGION: undefined`
 * to unset). Returns the function that puts every variable back as it was.
 */
export function useFakeAwsEnv(extra: Record<string, string | undefined> = {}): () => void {
  const values = { ...FAKE, ...extra };
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(values);
  return () => apply(saved);
}
