import { taggedName } from '../core/image.ts';
import type { Release } from '../core/ports/scheduler.ts';

/** The labels that say which release runs there, and with which block (`settings`: its fingerprint). */
export function releaseLabels(release: Release, settings: string): Record<string, string> {
  return {
    'slipway.service': release.service,
    'slipway.environment': release.environment,
    'slipway.image': taggedName(release.image),
    'slipway.sha': release.sha,
    'slipway.build': release.buildId,
    'slipway.settings': settings,
  };
}

/** The block's `env` plus `PORT`, as the engine takes them: `KEY=value`. */
export function releaseEnv(settings: { readonly env: Readonly<Record<string, string>>; readonly port: number }): string[] {
  return Object.entries({ ...settings.env, PORT: String(settings.port) }).map(([key, value]) => `${key}=${value}`);
}
