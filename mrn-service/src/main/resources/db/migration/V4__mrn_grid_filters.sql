-- The MRN grid (GET /api/projects/{key}/mrns, issue #7): pages of active MRNs in byte order, filtered by what their
-- instances say, fast at 100,000 MRNs x 10 mappings on any page.

-- Active MRNs of a project in byte order (collate "C": MRNs are ASCII, so the order and the prefix ranges of the
-- mrn filter do not depend on the database's locale). With the id included, the page, the keyset continuation
-- (after=) and the count are index-only scans.
create index mrn_active_order_idx on mrn (project_key, mrn collate "C") include (id) where active;

-- "Does this MRN have an instance in status S (of mapping M, protected)?" answered from the index alone, once per MRN
-- walked in order. It leads with mrn_id, so it also serves every lookup the plain mrn_id index served.
create index instance_mrn_filter_idx on instance (mrn_id, status, mapping_id) include (protected);
drop index instance_mrn_idx;

-- protected=true: the few protected active instances of a project, so that the filter's count reads only them.
create index instance_protected_idx on instance (project_key, mrn_id)
    where protected and status not in ('outdated', 'deleted');
