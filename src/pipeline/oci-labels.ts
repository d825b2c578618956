import type { Build } from '../core/build.ts';
import type { Checkout } from '../core/ports/source-fetcher.ts';
import { redactUrl } from '../core/redact-url.ts';

/**
 * OCI labels. Each is a build step on the classic builder, so they depend on the commit alone
 * (`created` is the commit date, as reproducible builds do): a rebuild of the same commit is all
 * cache hits (bench: 1.56 s → 0.18 s with a per-build id and wall-clock date removed).
 */
export function ociLabels(build: Build, checkout: Checkout): Record<string, string> {
  return {
    'org.opencontainers.image.revision': build.event.sha,
    'org.opencontainers.image.source': redactUrl(build.event.cloneUrl).replace(/\.git$/, ''),
    'org.opencontainers.image.created': checkout.committedAt,
    'org.opencontainers.image.title': build.service,
    ...(checkout.author ? { 'org.opencontainers.image.authors': checkout.author } : {}),
  };
}
