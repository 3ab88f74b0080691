-- Revision 006 upgrade(), as the SQL Alembic emits for shared/seed/006_rbac_roles.py
-- (`alembic upgrade 005:006 --sql`, PostgreSQL dialect). Statement for statement the
-- seed, including its full-table UPDATE. Used to build "Alembic-managed" databases in
-- tests and as the reference the benchmark measures against.
ALTER TABLE portal_users ADD COLUMN role TEXT;

UPDATE portal_users
SET role = CASE WHEN is_admin = TRUE THEN 'platform_admin' ELSE 'customer_admin' END;

ALTER TABLE portal_users ALTER COLUMN role SET NOT NULL;

ALTER TABLE portal_users ADD CONSTRAINT ck_portal_users_role CHECK (role IN ('platform_admin', 'customer_admin', 'customer_operator'));

ALTER TABLE portal_users DROP COLUMN is_admin;

CREATE TABLE user_tenant_roles (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    user_id UUID NOT NULL,
    tenant_id UUID NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES portal_users (id) ON DELETE CASCADE,
    FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT uq_user_tenant_role UNIQUE (user_id, tenant_id)
);

COMMENT ON COLUMN user_tenant_roles.role IS 'customer_admin | customer_operator';

CREATE INDEX ix_user_tenant_roles_user ON user_tenant_roles (user_id);

CREATE INDEX ix_user_tenant_roles_tenant ON user_tenant_roles (tenant_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON user_tenant_roles TO konstruct_app;

CREATE TABLE portal_invitations (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    email VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    tenant_id UUID NOT NULL,
    role TEXT NOT NULL,
    invited_by UUID,
    token_hash VARCHAR(255) NOT NULL,
    status VARCHAR(20) DEFAULT 'pending' NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY(invited_by) REFERENCES portal_users (id),
    UNIQUE (token_hash)
);

COMMENT ON COLUMN portal_invitations.role IS 'customer_admin | customer_operator';

COMMENT ON COLUMN portal_invitations.invited_by IS 'ID of the user who created the invitation (NULL for system-generated)';

COMMENT ON COLUMN portal_invitations.token_hash IS 'SHA-256 hex digest of the raw HMAC invite token';

COMMENT ON COLUMN portal_invitations.status IS 'pending | accepted | revoked';

CREATE INDEX ix_portal_invitations_tenant ON portal_invitations (tenant_id);

CREATE INDEX ix_portal_invitations_email ON portal_invitations (email);

CREATE UNIQUE INDEX ix_portal_invitations_token_hash ON portal_invitations (token_hash);

GRANT SELECT, INSERT, UPDATE, DELETE ON portal_invitations TO konstruct_app;
