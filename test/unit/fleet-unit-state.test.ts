import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetUnitState } from '../../src/schedulers/fleet/fleet-client.ts';
import { stateFailure } from '../../src/schedulers/fleet/unit-wait.ts';

const NAME = 'hello-production@1.service';
const HASH = 'a'.repeat(40);
const state = (active: string, sub: string, extra: Partial<FleetUnitState> = {}): FleetUnitState => ({
  name: NAME, hash: HASH, machineID: 'm1', systemdLoadState: 'loaded', systemdActiveState: active, systemdSubState: sub, ...extra,
});

describe('fleet unit state → why it is not up', () => {
  const table: [string, FleetUnitState | undefined, string | undefined][] = [
    ['active/running', state('active', 'running'), undefined],
    ['failed', state('failed', 'failed'), `unit ${NAME} failed: systemdActiveState=failed, systemdSubState=failed`],
    ['crash loop', state('activating', 'auto-restart'), `unit ${NAME} keeps restarting: systemdActiveState=activating, systemdSubState=auto-restart`],
    ['still starting', state('activating', 'start-pre'), `unit ${NAME} is not running: systemdActiveState=activating, systemdSubState=start-pre`],
    ['exited cleanly', state('inactive', 'dead'), `unit ${NAME} is not running: systemdActiveState=inactive, systemdSubState=dead`],
    ['not loadable', state('inactive', 'dead', { systemdLoadState: 'error' }), `unit ${NAME} could not be loaded: systemdLoadState=error`],
    ['another unit file', state('active', 'running', { hash: 'b'.repeat(40) }), `unit ${NAME} runs another unit file (hash ${'b'.repeat(40)})`],
    ['no state', undefined, `unit ${NAME} is gone: fleet reports no state for it`],
  ];
  for (const [what, s, expected] of table) {
    it(what, () => assert.equal(stateFailure(NAME, HASH, s), expected));
  }
});
