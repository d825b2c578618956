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
