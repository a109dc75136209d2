-- The token bucket of each FHIR system's request rate, shared by every fetch-worker replica
-- (POST /internal/fhir-systems/{id}/request-permits). Rows are written by Bucket4j's PostgreSQL proxy manager
-- (select ... for update): state is its serialized bucket, expires_at is unused (Bucket4j's optional column).
-- The foreign key makes a request for an unknown system fail (404) and drops a bucket with its system.
create table rate_limit_bucket (
    id         bigint primary key references fhir_system (id) on delete cascade,
    state      bytea,
    expires_at bigint
);
