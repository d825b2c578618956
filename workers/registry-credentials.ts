import type { Config } from '../src/config/config.ts';
import type { RegistryCredentials } from '../src/core/ports/registry-credentials.ts';
import { createEcrCredentials } from '../src/registries/ecr-credentials.ts';
import { registryHost } from '../src/registries/registry-host.ts';
import { createStaticCredentials } from '../src/registries/static-credentials.ts';

/** SLIPWAY_REGISTRY_AUTH: `ecr` → ECR's authorization token, `basic` → the configured pair, `none` → anonymous. */
export function registryCredentialsFor(config: Config): RegistryCredentials {
  const { address, auth, username, password } = config.registry;
  if (auth === 'ecr') return createEcrCredentials({ registry: address, region: config.aws.region, endpoint: config.aws.ecrEndpoint });
  return createStaticCredentials(auth === 'basic' ? { username, password, serveraddress: registryHost(address) } : undefined);
}
