-- Revision 006 downgrade(), as the SQL Alembic emits for shared/seed/006_rbac_roles.py
-- (`alembic downgrade 006:005 --sql`), statement for statement, full-table UPDATE included.
REVOKE ALL ON portal_invitations FROM konstruct_app;

DROP INDEX ix_portal_invitations_token_hash;

DROP INDEX ix_portal_invitations_email;

DROP INDEX ix_portal_invitations_tenant;

DROP TABLE portal_invitations;

REVOKE ALL ON user_tenant_roles FROM konstruct_app;

DROP INDEX ix_user_tenant_roles_tenant;

DROP INDEX ix_user_tenant_roles_user;

DROP TABLE user_tenant_roles;

ALTER TABLE portal_users DROP CONSTRAINT ck_portal_users_role;

ALTER TABLE portal_users ADD COLUMN is_admin BOOLEAN;

UPDATE portal_users
SET is_admin = CASE WHEN role = 'platform_admin' THEN TRUE ELSE FALSE END;

ALTER TABLE portal_users ALTER COLUMN is_admin SET NOT NULL;

ALTER TABLE portal_users DROP COLUMN role;
