-- A pause a FHIR system asked for (429 with Retry-After), shared by every fetch-worker replica through the
-- request permits: until paused_until, no permit is granted for the system.
create table fhir_system_pause (
    system_id    bigint primary key references fhir_system (id) on delete cascade,
    paused_until timestamptz not null
);
