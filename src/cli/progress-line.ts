/** A one-line status shown while waiting, rewritten in place on a terminal; nothing when not one. */
export interface ProgressLine {
  show(text: string): void;
  clear(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** On `stream` when it is a terminal (stderr, so stdout stays the command's output), else a no-op. */
export function progressLine(stream: { isTTY?: boolean; write(text: string): unknown }): ProgressLine {
  if (!stream.isTTY) return { show: () => undefined, clear: () => undefined };
  let frame = 0;
  let shown = false;
  return {
    show(text) {
      frame = (frame + 1) % FRAMES.length;
      stream.write(`\r\u001b[2K${FRAMES[frame]} ${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
