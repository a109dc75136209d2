# Times the SQL that GET /api/projects/{key}/mrns runs (MrnRepository.gridPage, InstanceRepository.activeOfMrns) on
# the grid-seed.sql data, per filter: the count, page 0, the last page by offset and by after, the page's instances.
# Prints a Markdown table of medians of 3 runs. Usage: PGHOST=.. PGPORT=.. PGUSER=postgres PGDATABASE=.. python3 grid-timing.py
import subprocess, re, statistics, sys
import os
ENV = dict(os.environ)  # PGHOST, PGPORT, PGUSER, PGDATABASE: the benchmark database
def where(f):
    w = "where m.project_key = 'big' and m.active"
    if f.get('mrn'):
        w += " and m.mrn collate \"C\" >= '%s'::text and m.mrn collate \"C\" < '%s~'::text" % (f['mrn'], f['mrn'])
    if f.get('status') or f.get('protected') or f.get('mapping'):
        w += " and exists (select 1 from instance i where i.mrn_id = m.id"
        w += " and i.status = '%s'::text" % f['status'] if f.get('status') else " and i.status not in ('outdated', 'deleted')"
        if f.get('protected'): w += " and i.protected"
        if f.get('mapping'): w += " and i.mapping_id = %d::bigint" % f['mapping']
        w += ")"
    return w
def timed(sql, runs=3):
    script = "\\timing on\n" + (sql + ";\n") * runs
    out = subprocess.run(['psql', '-At'], input=script, capture_output=True, text=True, env=ENV).stdout
    times = [float(t) for t in re.findall(r'Time: ([0-9.]+) ms', out)]
    rows = [l for l in out.splitlines() if l and not l.startswith('Time:') and not l.startswith('Timing')]
    return times, rows
COLS = "i.id, i.project_key, i.mrn_id, m.mrn, i.mapping_id, i.mapping_revision, i.mapping_key, i.resource_name, i.resource_spec, i.resource_type, i.fhir_resource_type, i.query, i.status, i.attempt, i.payload_ref, i.fetched_at, i.error_class, i.error_message, i.pagination::text as pagination, i.warnings::text as warnings, i.protected"
scenarios = [("no filter", {}), ("status=failed", {'status': 'failed'}), ("status=completed", {'status': 'completed'}),
             ("status=pending&mapping=3", {'status': 'pending', 'mapping': 3}), ("protected=true", {'protected': True}),
             ("status=outdated", {'status': 'outdated'}), ("mapping=3", {'mapping': 3}), ("mrn=MRN-00123", {'mrn': 'MRN-00123'}),
             ("status=failed&protected=true&mapping=7&mrn=MRN-009", {'status': 'failed', 'protected': True, 'mapping': 7, 'mrn': 'MRN-009'})]
print("| filters | total | count ms | page 0 ms | last page by offset ms | last page by after ms | instances of a page ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, f in scenarios:
    w = where(f)
    ct, rows = timed("select count(*) as n from mrn m " + w)
    total = int(rows[0])
    page = lambda extra, off: "select m.id, m.mrn, m.fhir_patient_id from mrn m " + w + extra + " order by m.mrn collate \"C\" limit 51 offset %d" % off
    p0, rows0 = timed(page("", 0))
    last_off = max(0, (total - 1) // 50 * 50)
    pl, rowsl = timed(page("", last_off))
    # keyset: the page after the last page's predecessor: the next of the page before the last
    if last_off >= 50:
        _, prev = timed(page("", last_off - 50), 1)
        after = prev[49].split('|')[1]
        pk, rowsk = timed(page(" and m.mrn collate \"C\" > '%s'::text" % after, 0))
        assert [r for r in rowsk[:len(rowsl)//3]] == rowsl[:len(rowsl)//3], (name, rowsk[:3], rowsl[:3])
    else:
        pk = [0.0]
    ids = ",".join(r.split('|')[0] for r in rows0[:50]) or "0"
    it, _ = timed("select " + COLS + " from instance i join mrn m on m.id = i.mrn_id where i.mrn_id = any('{%s}'::bigint[]) and i.status not in ('outdated', 'deleted') order by i.mrn_id, i.mapping_id, i.id" % ids)
    med = lambda t: "%.1f" % statistics.median(t)
    print("| %s | %d | %s | %s | %s | %s | %s |" % (name, total, med(ct), med(p0), med(pl), med(pk), med(it)))
    sys.stdout.flush()
