-- Automatic retry of transient failures: a failed fetch with a transient error class goes back to pending with
-- not_before = now() + backoff; the publisher never publishes an instance before it (nor does a claim take it).
alter table instance add column not_before timestamptz;

-- The status an instance had when it was marked deleted (MRN or mapping removed), so that a completed instance of
-- a re-added MRN is restored rather than downloaded again. Null for rows deleted before this migration.
alter table instance add column deleted_from_status text;

-- Reconcile looks up the restorable rows by project and requested mapping revision.
create index instance_restorable_idx on instance (project_key, mapping_id, mapping_revision)
    where status = 'deleted' and deleted_from_status = 'completed';
