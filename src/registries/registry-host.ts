/** The host[:port] of a registry address `host[:port][/namespace]`: the `serveraddress` Docker expects. */
export function registryHost(address: string): string {
  return address.split('/')[0] ?? address;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/** Account and region of an ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), else undefined. */
export function ecrHost(address: string): { account: string; region: string } | undefined {
  const match = ECR_HOST.exec(registryHost(address));
  return match ? { account: match[1]!, region: match[2]! } : undefined;
}
