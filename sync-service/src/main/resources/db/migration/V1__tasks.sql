-- Tasks of sync-service and their history. Only sync-service reads or writes these tables.

CREATE TABLE task (
    id              bigserial PRIMARY KEY,
    project_key     varchar(64) NOT NULL,
    type            varchar(20) NOT NULL CHECK (type IN ('sync', 'full-sync', 'retry-failed', 'sweep')),
    status          varchar(20) NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    trigger         varchar(40) NOT NULL,
    -- What the task was asked to do beyond its type, e.g. {"errorClasses": [...], "mappingIds": [...]}.
    params          jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    -- A pending task runs no earlier than this (debounce for a new task, backoff after a failed attempt).
    not_before      timestamptz NOT NULL DEFAULT now(),
    -- Set when a replica starts a run; every later write of that run names it, so a run that was taken over
    -- (its replica looked dead) cannot overwrite the newer one.
    run_token       uuid,
    progress_done   integer NOT NULL DEFAULT 0,
    progress_total  integer NOT NULL DEFAULT 0,
    report          jsonb,
    error           text,
    attempts        integer NOT NULL DEFAULT 0
);

-- Intelligent deduplication: a project has at most one pending task of each type; a new request joins it.
CREATE UNIQUE INDEX task_one_pending_per_type ON task (project_key, type) WHERE status = 'pending';
-- A project never runs two tasks at once, whatever the number of replicas.
CREATE UNIQUE INDEX task_one_running_per_project ON task (project_key) WHERE status = 'running';
CREATE INDEX task_project_newest ON task (project_key, id DESC);
CREATE INDEX task_pending_due ON task (not_before, id) WHERE status = 'pending';

-- Messages never contain PHI: ids, counts and service names only.
CREATE TABLE task_log (
    id       bigserial PRIMARY KEY,
    task_id  bigint NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL DEFAULT now(),
    message  text NOT NULL
);
CREATE INDEX task_log_by_task ON task_log (task_id, id);

-- Consumer idempotency: the id of every message already applied (kept for a retention period).
CREATE TABLE processed_message (
    id            varchar(200) PRIMARY KEY,
    processed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_message_age ON processed_message (processed_at);
