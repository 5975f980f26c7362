import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, startTestSimulator, type TestSimulator } from '../../helpers/simulator.js';

describe('injected faults', () => {
  let t: TestSimulator;
  afterEach(async () => {
    await t.close();
  });

  it('answers the next N requests with 500 InternalServerError, then recovers', async () => {
    // Prepare
    t = await startTestSimulator({ faults: { failNextRequests: 2 } });
    // Act
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.call('/api/machines')).status);
    // Assess
    expect(statuses).toEqual([500, 500, 200]);
    expect(t.sim.stats().injectedFailures).toBe(2);
  });

  it('can aim the failures at one endpoint', async () => {
    // Prepare
    t = await startTestSimulator();
    t.sim.setFaults({ failNextRequests: 1, failEndpoints: ['listMachineActions'] });
    // Act
    const machines = await t.call('/api/machines');
    const actions = await t.call('/api/machineactions');
    // Assess
    expect(machines.status).toBe(200);
    expect(actions.status).toBe(500);
    expect((await errorOf(actions)).code).toBe('InternalServerError');
  });
});
