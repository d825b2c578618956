// Text the way Nomad (a Go program) writes it: durations, multierror lists, JSON decode errors.

const UNITS: [number, string][] = [[3_600e9, 'h'], [60e9, 'm']];

/** Go's time.Duration.String() for integer nanoseconds: `10s`, `5m0s`, `1h0m0s`, `1.5s`, `500ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  if (rest < 1e9) {
    const [size, unit] = rest < 1e3 ? [1, 'ns'] : rest < 1e6 ? [1e3, 'µs'] : [1e6, 'ms'];
    return `${sign}${trim(rest / size)}${unit}`;
  }
  let out = '';
  for (const [size, unit] of UNITS) {
    if (rest >= size || out) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return `${sign}${out}${trim(rest / 1e9)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

/** hashicorp/go-multierror's default format. */
export function multierror(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/** encoding/json's complaint about a value of the wrong type in a struct field. */
export function unmarshalError(value: unknown, field: string, goType: string): string {
  const kind = typeof value === 'string' ? 'string' : typeof value === 'number' ? `number ${value}` : typeof value === 'boolean' ? 'bool' : Array.isArray(value) ? 'array' : 'object';
  return `json: cannot unmarshal ${kind} into Go struct field ${field} of type ${goType}`;
}

/** What encoding/json says about text that is not JSON (close enough: the first bad character). */
export function syntaxError(raw: string): string {
  if (raw.trim() === '') return 'EOF';
  try {
    JSON.parse(raw);
    return '';
  } catch (err) {
    const position = /position (\d+)/.exec(String(err))?.[1];
    const ch = position === undefined ? undefined : raw[Number(position)];
    return ch === undefined ? 'unexpected EOF' : `invalid character '${ch}' looking for beginning of value`;
  }
}
