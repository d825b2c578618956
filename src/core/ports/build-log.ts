/** Somewhere to write the user's build log, one line at a time. `line` never throws or blocks. */
export interface LogSink {
  line(text: string): void;
}

/**
 * The user's build log: what the build page shows; not the operator's log. Writes are ordered;
 * `flush` resolves once every earlier line is stored. Callers redact secrets before writing.
 */
export interface BuildLog extends LogSink {
  flush(): Promise<void>;
}

/**
 * A stretch of a build log from line `from` on. Line numbers count every line ever written, so
 * they stay valid when the middle of a long log is cut: `next` is where to resume (it only grows),
 * and lines a reader has not seen that were cut read as one line saying how many.
 */
export interface LogPage {
  readonly lines: string[];
  readonly next: number;
}
