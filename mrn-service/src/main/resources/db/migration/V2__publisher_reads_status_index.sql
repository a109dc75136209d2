-- (project_key, status) serves counts and filters; with id last it also gives a project's pending instances in id
-- order, which the windowed publisher reads every run, so the separate partial index of pending ids goes (one index
-- fewer to maintain when a reconcile inserts a million instances).
drop index instance_project_status_idx;
create index instance_project_status_idx on instance (project_key, status, id);
drop index instance_pending_idx;
