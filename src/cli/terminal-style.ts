/** How a command's output is rendered: on a terminal (aligned, coloured, fitted to its width) or piped (plain). */
export interface TerminalStyle {
  /** stdout is a terminal: tables are fitted to `width`, times read as ages */
  readonly tty: boolean;
  /** ANSI colours: a terminal, and NO_COLOR not set */
  readonly colour: boolean;
  /** columns of the terminal; undefined when piped (nothing is cut) */
  readonly width?: number;
}

export const PLAIN: TerminalStyle = { tty: false, colour: false };

/** The style for a stream: colour only on a terminal and without NO_COLOR (https://no-color.org). */
export function styleFor(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): TerminalStyle {
  const tty = stream.isTTY === true;
  return { tty, colour: tty && !env.NO_COLOR, width: tty ? stream.columns || 100 : undefined };
}

export type Colour = 'red' | 'green' | 'yellow' | 'blue' | 'dim' | 'bold';
const CODES: Record<Colour, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], dim: [2, 22], bold: [1, 22] };

export function paint(style: TerminalStyle, colour: Colour | undefined, text: string): string {
  if (!style.colour || !colour || text === '') return text;
  const [on, off] = CODES[colour];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** an escape sequence (CSI, OSC, or a two-character one), else one control character */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])?|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const SGR = /^\u001b\[[0-9;]*m$/;

/**
 * Text from users or builds (commit messages, branch names, log lines) made safe for a terminal:
 * escape sequences and control characters removed, tabs as spaces, so nothing a commit message
 * holds can move the cursor, retitle the window or hide a line. `keepColours` keeps SGR colour
 * sequences (a build log's own colours, on a colour terminal). Pure.
 */
export function terminalSafe(text: string, keepColours = false): string {
  return text
    .replace(/\t/g, '    ')
    .replace(/\n/g, ' ')
    .replace(UNSAFE, (seq) => (keepColours && SGR.test(seq) ? seq : ''));
}
