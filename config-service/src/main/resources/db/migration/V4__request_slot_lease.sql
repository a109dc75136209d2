-- Leases of "request slots" (concurrent requests in flight toward a FHIR system), one row per system and worker
-- replica (POST /internal/fhir-systems/{id}/request-slots). The slots one holder occupies = greatest(granted, in_use):
-- requests that started under a larger grant keep their slot until they end. A row whose lease_until has passed is
-- free (deleted by the next call for the system). The foreign key drops the leases with their system.
create table request_slot_lease (
    system_id   bigint      not null references fhir_system (id) on delete cascade,
    holder      text        not null,
    granted     integer     not null check (granted >= 0),
    in_use      integer     not null check (in_use >= 0),
    wanted      integer     not null check (wanted >= 0),
    lease_until timestamptz not null,
    -- when the holder was last granted a slot: slots that do not divide evenly go to those served longest ago
    served_at   timestamptz,
    primary key (system_id, holder)
);
