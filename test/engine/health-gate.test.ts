/**
 * The health throttle's cost where no replica is attached (issue #22 item 2:
 * per-batch work stays one statement plus saving the position): against the
 * test server, which has no replica, the gate looks before the first batch and
 * then at most once a second of its clock (a fake one here), however short the
 * batches. With a replica attached it looks before every batch:
 * health-throttle.test.ts. And its one statement needs no privilege.
 */
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchGateContext } from '../../src/engine/batch-gate';
import { fixedBatchSizer } from '../../src/engine/batch-sizer';
import { readHealthSample } from '../../src/db/health-sample';
import { healthThrottle, healthThrottleFor } from '../../src/engine/health-throttle';
import type { StepEvent } from '../../src/engine/step-events';
import { createLoginRole } from '../support/login-role';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('healthgate');
});
afterAll(async () => {
  await db?.drop();
});

describe('the health gate without replicas', () => {
  it('looks once, then not again within a second, and holds nothing back', async () => {
    let clock = 0;
    const events: StepEvent[] = [];
    const gate = healthThrottle({ maxReplicaLagMs: 1_000, maxArchiveBacklog: 16 }, { now: () => clock, sleep: async () => {} });
    const context: BatchGateContext = { knex: db.knex, migration: '002_fill', step: 'fill n', sizer: fixedBatchSizer(10), onStep: (e) => events.push(e) };
    let looks = 0;
    const count = () => looks++;
    db.knex.on('query', count);
    try {
      await gate.beforeBatch(context);
      expect(looks).toBe(1);
      for (const at of [10, 500, 999]) {
        clock = at;
        await gate.beforeBatch(context);
      }
      expect(looks).toBe(1);
      clock = 1_001;
      await gate.beforeBatch(context);
      expect(looks).toBe(2);
    } finally {
      db.knex.off('query', count);
    }
    expect(events).toEqual([]);
  });

  it('is not there at all with both limits at 0', () => {
    expect(healthThrottleFor({ maxReplicaLag: 0, maxArchiveBacklog: 0 })).toBeUndefined();
    expect(healthThrottleFor({ maxReplicaLag: 0 })).toBeDefined();
  });

  it('a role with no privileges reads everything it looks at (the replicas’ positions are only hidden, never refused)', async () => {
    const role = await createLoginRole(db.knex, db.name, { createRole: false });
    const knex = knexFactory({ client: 'pg', connection: role.urlFor(db.url), pool: { min: 0, max: 1 } });
    try {
      const sample = await readHealthSample(knex, { replicas: true, archiver: true });
      expect(sample).toMatchObject({ role: role.name, currentLsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/), replicas: [] });
    } finally {
      await knex.destroy();
      await db.knex.raw(`ALTER DATABASE ${db.name} OWNER TO CURRENT_USER`);
      await role.drop(db.knex);
    }
  });
});
