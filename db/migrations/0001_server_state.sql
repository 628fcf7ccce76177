-- Server state: users, roles per site, sessions, API tokens, login failures, the audit log and
-- reviewers' comments. One script for SQLite and PostgreSQL: ids are BIGINT assigned from the
-- `counters` table (SQLite's INTEGER PRIMARY KEY and PostgreSQL's BIGSERIAL have no common
-- spelling), times are BIGINT seconds since the epoch, booleans are BIGINT 0/1.

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next_id BIGINT NOT NULL
);
INSERT INTO counters (name, next_id) VALUES ('users', 0), ('tokens', 0), ('audit', 0), ('comments', 0);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created BIGINT NOT NULL
);

CREATE TABLE grants (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, site)
);
CREATE INDEX grants_site ON grants (site);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    sites TEXT NOT NULL,
    can_write BIGINT NOT NULL,
    created BIGINT NOT NULL,
    expires BIGINT,
    revoked BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Keyed by login name (whether it exists or not) and by client address (`@<address>`).
CREATE TABLE login_failures (
    login TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE audit (
    id BIGINT PRIMARY KEY,
    time BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    site TEXT,
    path TEXT,
    commit_id TEXT,
    detail TEXT
);
CREATE INDEX audit_site ON audit (site, id);

CREATE TABLE comments (
    id BIGINT PRIMARY KEY,
    time BIGINT NOT NULL,
    author TEXT NOT NULL,
    site TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX comments_page ON comments (site, path, id);
