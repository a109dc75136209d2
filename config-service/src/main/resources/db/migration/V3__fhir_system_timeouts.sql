-- Per-system timeouts toward the EHR; null = the worker's default.
alter table fhir_system
    add column connect_timeout_seconds integer check (connect_timeout_seconds between 1 and 300),
    add column read_timeout_seconds    integer check (read_timeout_seconds between 1 and 3600),
    add column total_timeout_seconds   integer check (total_timeout_seconds between 1 and 86400);
