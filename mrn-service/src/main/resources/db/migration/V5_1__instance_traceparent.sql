-- Tracing (issue #8): the W3C traceparent of the reconcile that created an instance, so that the windowed publisher
-- (which runs later, on a schedule, outside any request) can publish pending-resource as a child of that reconcile
-- and one trace follows the instance from reconcile to fetch-result. Not PHI: two random ids and a flag.
-- Filled by the column default from a transaction-local setting that ReconcileService sets (set_config(..., true)),
-- so the set-based inserts of reconcile need no change; rows written outside a reconcile get null.
-- Added without a default first, so that existing rows are not rewritten.
alter table instance add column traceparent text;
alter table instance alter column traceparent set default nullif(current_setting('fhir_snapshot.traceparent', true), '');
