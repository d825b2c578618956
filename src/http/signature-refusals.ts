import type { Logger } from 'pino';

/** At most one warning a minute, however many deliveries are refused. */
const WINDOW_MS = 60_000;

/**
 * Counts webhook deliveries refused for their signature (missing or not matching) and says so in
 * the operator log at warn, rate-limited: the first refusal of a quiet spell is logged at once with
 * its delivery id; refusals after it are only counted, and one line per window reports how many
 * (with the latest delivery id) until a window passes without any. Costs a counter increment per
 * refusal; the delivery id (a header anyone can send) is cut to 100 characters.
 */
export function createSignatureRefusals(
  logger: Logger,
  { windowMs = WINDOW_MS, later = (run: () => void, ms: number) => void setTimeout(run, ms).unref() }: { windowMs?: number; later?: (run: () => void, ms: number) => void } = {},
): (deliveryId: string | undefined) => void {
  let total = 0;
  let unreported = 0;
  let latest: string | undefined;
  let open = false;
  const hint = 'check that GITHUB_WEBHOOK_SECRET equals the webhook secret on GitHub';

  const closeWindow = () => {
    if (unreported === 0) {
      open = false;
      return;
    }
    logger.warn({ delivery: latest, refused: unreported, total, windowSeconds: windowMs / 1000 }, `${unreported} more webhook deliveries refused for their signature; ${hint}`);
    unreported = 0;
    later(closeWindow, windowMs);
  };

  return (deliveryId) => {
    total += 1;
    latest = deliveryId?.slice(0, 100);
    if (open) {
      unreported += 1;
      return;
    }
    logger.warn({ delivery: latest, total }, `webhook delivery refused: X-Hub-Signature-256 missing or not matching; ${hint}`);
    open = true;
    later(closeWindow, windowMs);
  };
}
