import type { LogPage } from '../core/ports/build-log.ts';
import { cutMarker } from '../store/redis-build-log.ts';

/** A log line as the build page shows it: `n` is its 1-based number in the whole log; null for the line that stands for a cut middle. */
export interface NumberedLine {
  readonly n: number | null;
  readonly text: string;
}

/**
 * Numbers the lines of a log page read from line `from` (0-based): a line keeps its number for
 * good, so `#L12` links stay valid while the log grows. When the page holds the marker of a cut
 * middle, the lines before it count on from `from`, the marker has no number, and the lines after
 * it count back from `next`.
 */
export function numberLogPage(page: LogPage, from: number): NumberedLine[] {
  const span = page.next - from;
  if (page.lines.length === span) return page.lines.map((text, i) => ({ n: from + i + 1, text }));
  const marker = page.lines.lastIndexOf(cutMarker(span - (page.lines.length - 1)));
  return page.lines.map((text, i) => {
    if (marker < 0) return { n: from + i + 1, text };
    if (i === marker) return { n: null, text };
    return { n: i < marker ? from + i + 1 : page.next - (page.lines.length - i) + 1, text };
  });
}
