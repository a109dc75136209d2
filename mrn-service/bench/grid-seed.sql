-- The MRN grid benchmark's data (see ../README.md, "The MRN grid"): project 'big' with 100,000 MRNs x 10 mappings
-- (80% completed, 12% pending, 2% fetching, 6% failed, a seventh of those protected), mapping 1 updated once (100,000
-- outdated), a removed mapping 11 (50,000 deleted), 100 removed MRNs; project 'small' with 1,000 MRNs beside it.
-- Run on an empty database migrated by V1..V4.
insert into mrn (project_key, mrn) select 'big', 'MRN-' || lpad(g::text, 7, '0') from generate_series(1, 100000) g;
insert into mrn (project_key, mrn) select 'small', 'MRN-' || lpad(g::text, 7, '0') from generate_series(1, 1000) g;
insert into instance (project_key, mrn_id, mapping_id, mapping_revision, mapping_key, resource_name, resource_spec,
                      resource_type, fhir_resource_type, query, status, protected, error_class, error_message,
                      payload_ref, fetched_at)
select m.project_key, m.id, k, case when k = 1 then 2 else 1 end, 'map-' || k, 'Mapping ' || k, 'spec', 'predefined',
       'Observation', 'Observation?x=' || k, s.status, s.status = 'failed' and m.id % 7 = 0,
       case when s.status = 'failed' then case when m.id % 7 = 0 then 'protected' else 'not_found' end end,
       case when s.status = 'failed' then 'msg' end, case when s.status = 'completed' then 'sha256:ab' end,
       case when s.status = 'completed' then now() end
from mrn m cross join generate_series(1, 10) k
cross join lateral (select case when (m.id * 7 + k * 13) % 100 < 80 then 'completed'
                                when (m.id * 7 + k * 13) % 100 < 92 then 'pending'
                                when (m.id * 7 + k * 13) % 100 < 94 then 'fetching'
                                else 'failed' end as status) s;
insert into instance (project_key, mrn_id, mapping_id, mapping_revision, mapping_key, resource_name, resource_spec,
                      resource_type, fhir_resource_type, query, status)
select m.project_key, m.id, 1, 1, 'map-1', 'Mapping 1', 'spec', 'predefined', 'Observation', 'Observation?x=1',
       'outdated' from mrn m;
insert into instance (project_key, mrn_id, mapping_id, mapping_revision, mapping_key, resource_name, resource_spec,
                      resource_type, fhir_resource_type, query, status, deleted_from_status)
select m.project_key, m.id, 11, 1, 'map-11', 'Mapping 11', 'spec', 'predefined', 'Observation', 'Observation?x=11',
       'deleted', 'completed' from mrn m where m.id % 2 = 0;
update mrn set active = false, removed_at = now() where id % 1000 = 5;
update instance set status = 'deleted', deleted_from_status = status
where mrn_id in (select id from mrn where not active) and status not in ('outdated', 'deleted');
insert into project (project_key, fhir_system_id) values ('big', 1), ('small', 1);
vacuum analyze;
