-- mrn-service owns MRNs and resource instances (the PRD's repeated-form instances with all_fhir_* fields).

-- A project as mrn-service has seen it: recorded when MRNs are added and by every reconcile.
create table project (
    project_key    text primary key,
    fhir_system_id bigint,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);

-- One patient of a project. Removing an MRN keeps the row (inactive) for the audit trail; re-adding re-activates it.
create table mrn (
    id              bigserial primary key,
    project_key     text        not null,
    mrn             text        not null,
    fhir_patient_id text,
    active          boolean     not null default true,
    added_at        timestamptz not null default now(),
    removed_at      timestamptz,
    constraint mrn_project_mrn_uk unique (project_key, mrn)
);

-- One MRN x mapping revision.
--   resource_name / resource_spec / resource_type = all_fhir_resource_name / _spec / _type (predefined | custom)
--   status = all_fhir_resource_status, payload_ref = all_fhir_file_upload, fetched_at = all_fhir_fetch_date,
--   error_message = all_fhir_error_message, pagination = all_fhir_pagination_info
create table instance (
    id                 bigserial primary key,
    project_key        text        not null,
    mrn_id             bigint      not null references mrn (id),
    mapping_id         bigint      not null,
    mapping_revision   integer     not null,
    mapping_key        text        not null,
    resource_name      text        not null,
    resource_spec      text        not null,
    resource_type      text        not null,
    fhir_resource_type text        not null,
    query              text        not null,
    status             text        not null default 'pending',
    attempt            integer     not null default 0,
    claim_token        text,
    claimed_by         text,
    lease_until        timestamptz,
    published_at       timestamptz,
    payload_ref        text,
    fetched_at         timestamptz,
    error_class        text,
    error_message      text,
    pagination         jsonb,
    warnings           jsonb,
    protected          boolean     not null default false,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint instance_resource_type_ck check (resource_type in ('predefined', 'custom')),
    constraint instance_status_ck
        check (status in ('pending', 'fetching', 'completed', 'failed', 'outdated', 'deleted'))
);

create index instance_project_status_idx on instance (project_key, status);
create index instance_mrn_idx on instance (mrn_id);
create index instance_project_mapping_idx on instance (project_key, mapping_id);

-- At most one active instance per MRN x mapping x revision; outdated and deleted rows stay as history.
create unique index instance_active_uk on instance (mrn_id, mapping_id, mapping_revision)
    where status not in ('outdated', 'deleted');

-- The windowed publisher: pending instances of a project in id order, ...
create index instance_pending_idx on instance (project_key, id) where status = 'pending';
-- ... the published ones among them (in flight until republish-after) ...
create index instance_pending_published_idx on instance (project_key, published_at)
    where status = 'pending' and published_at is not null;
-- ... and the claimed ones, with their leases.
create index instance_fetching_idx on instance (project_key, lease_until) where status = 'fetching';

-- Transactional outbox: an event row commits with the change that causes it; OutboxRelay publishes and deletes it.
create table outbox (
    id          bigserial primary key,
    topic       text        not null,
    message_key text        not null,
    payload     jsonb       not null,
    created_at  timestamptz not null default now()
);
