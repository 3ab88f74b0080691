/** createTable: a new, empty table at expand, its constraints valid at once; dropped going down. */
import { describeOperation } from './scenario';

describeOperation('createTable audit_events', {
  operations: [
    {
      createTable: {
        table: 'audit_events',
        columns: [
          { name: 'id', type: 'bigint', nullable: false },
          { name: 'user_id', type: 'uuid', references: { name: 'audit_events_user_id_fkey', table: 'portal_users', column: 'id', onDelete: 'CASCADE' } },
          { name: 'kind', type: 'text', nullable: false, default: `'login'`, check: { name: 'ck_audit_events_kind', constraint: `kind <> ''` }, comment: 'what happened' },
        ],
        primaryKey: ['id'],
      },
    },
  ],
  plain: `CREATE TABLE audit_events (
            id bigint NOT NULL CONSTRAINT audit_events_pkey PRIMARY KEY,
            user_id uuid CONSTRAINT audit_events_user_id_fkey REFERENCES portal_users (id) ON DELETE CASCADE,
            kind text DEFAULT 'login' NOT NULL CONSTRAINT ck_audit_events_kind CHECK (kind <> ''));
          COMMENT ON COLUMN audit_events.kind IS 'what happened'`,
});
