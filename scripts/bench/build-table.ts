/**
 * The table `npm run bench` prints: per measure, the median (min–max) of Slipway and of the docker
 * CLI, their ratio, and the cache hits each side's builds reported. `times` and `hitsBy` are keyed
 * `<measure>|<side>`.
 */
const median = (xs: number[]) => ((s) => (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2)([...xs].sort((x, y) => x - y));
const fmt = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const cell = (xs: number[] = []) => (xs.length ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : '–');

export function resultTable(measures: readonly string[], times: ReadonlyMap<string, number[]>, hitsBy: ReadonlyMap<string, Set<string>>): string[] {
  const rows = [['measure', 'Slipway median (min–max)', 'docker CLI median (min–max)', 'Slipway/raw', 'cache hits S | raw']];
  for (const row of measures) {
    const s = times.get(`${row}|slipway`) ?? [];
    const r = times.get(`${row}|raw`) ?? [];
    const hits = (side: 'slipway' | 'raw') => [...(hitsBy.get(`${row}|${side}`) ?? [])].join(',');
    const ratio = s.length && r.length ? `${(median(s) / median(r)).toFixed(2)}×` : '–';
    rows.push([row, cell(s), cell(r), ratio, row.startsWith('build') || row === 'pipeline: total' ? `${hits('slipway')} | ${hits('raw')}` : '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}
