#!/usr/bin/env node
// Runs Slipway from the compiled JavaScript in dist/ (`npm run build`) when it is there and not
// older than the sources beside it; otherwise, in a checkout, runs the TypeScript sources through
// tsx, so tests and `npm run up` never run a stale build. An installed copy or the Docker image
// has dist/ and no sources. SLIPWAY_RUN=compiled or SLIPWAY_RUN=source forces one or the other.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/src/cli/main.js`;
const stamp = `${root}dist/.build-stamp`;

/** Newest modification time (ms) of the .ts files under these folders. */
function newestSource(dirs) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return newest;
}

function useCompiled() {
  const forced = process.env.SLIPWAY_RUN;
  if (forced === 'compiled') {
    if (existsSync(compiled)) return true;
    process.stderr.write('slipway: no compiled build in dist/: run `npm run build` first\n');
    process.exit(1);
  }
  if (forced === 'source') return false;
  if (!existsSync(compiled)) return false;
  const sources = [`${root}src`, `${root}workers`];
  if (!sources.some((d) => existsSync(d))) return true;
  return existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(sources);
}

let main;
if (useCompiled()) {
  ({ main } = await import(compiled));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
