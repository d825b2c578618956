import type { PreviewClosings } from '../core/ports/preview-closings.ts';
import { previewNumber } from '../core/preview.ts';

/**
 * Whether a preview closed at `closedAt` stays closed, given when its latest release deployed:
 * nothing was deployed there after the close (a pull request reopened and deployed again is open).
 */
export function closedSince(closedAt: number | undefined, deployedAt: number | undefined): boolean {
  return closedAt !== undefined && (deployedAt === undefined || deployedAt <= closedAt);
}

/**
 * A preview (`pr-<n>`) whose pull request closed after its latest release (`deployedAt`): its
 * containers were removed, nothing of it runs. Without `closings`, every preview counts as open.
 */
export async function removedPreview(closings: Pick<PreviewClosings, 'closedAt'> | undefined, service: string, environment: string, deployedAt: number | undefined): Promise<boolean> {
  if (!closings || previewNumber(environment) === undefined) return false;
  return closedSince(await closings.closedAt(service, environment), deployedAt);
}
