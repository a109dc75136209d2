// Resources: summary and progress for everyone; the MRN × mapping grid (live through SSE), adding and removing
// MRNs for managers; payloads and the archive download for exporters.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, projectPath, query } from '../api.js';
import { subscribe } from '../events.js';
import { html, can, num, when, useLoad, useDebounced, useInterval, ErrorNote, Dialog, Confirm, Progress, Status,
  Select, Pager, readFile } from '../ui.js';
import { PayloadDialog, DownloadDialog } from './download.js';

const STATUSES = ['pending', 'fetching', 'completed', 'failed', 'outdated', 'deleted'];
const statusOptions = [['', 'any'], ...STATUSES.map((s) => [s, s])];
const mappingOptions = (mappings) => [['', 'any'], ...mappings.map((m) => [m.id, m.name])];
const PAGE_SIZE = 50;
const SUMMARY_EVERY = 2000; // at most one summary refresh per 2 s while events arrive
const BACKSTOP = 5000; // and one every 5 s anyway (events are per replica; bulk changes are not evented)

export function Resources({ projectKey: key, me }) {
  const manager = can(me, key, 'manager');
  const exporter = can(me, key, 'exporter');
  const summary = useLoad(() => api(projectPath(key, 'summary')), [key]);
  const mappings = useLoad(() => api(`${projectPath(key, 'mappings')}?size=500`).then((p) => p.items), [key]);
  const [live, setLive] = useState('connecting');
  const [dialog, setDialog] = useState(null);
  const [gridVersion, setGridVersion] = useState(0);

  // Summary refreshes: throttled while events arrive, plus the backstop poll.
  const last = useRef(0);
  const timer = useRef(null);
  const refresh = () => {
    clearTimeout(timer.current);
    timer.current = null;
    last.current = Date.now();
    summary.reload();
  };
  const soon = () => {
    if (timer.current) return;
    timer.current = setTimeout(refresh, Math.max(0, last.current + SUMMARY_EVERY - Date.now()));
  };
  useInterval(() => { if (Date.now() - last.current >= BACKSTOP - 100) refresh(); }, BACKSTOP);
  useEffect(() => () => clearTimeout(timer.current), []);
  useEffect(() => subscribe(key, (kind, data) => {
    if (kind === 'instance') soon();
    else if (kind === 'state') setLive(data);
    else if (kind === 'problem') setLive(`stopped: ${data.detail || data.title || 'the server ended the stream'}`);
    else if (kind === 'open' && data.reconnected) { refresh(); setGridVersion((v) => v + 1); }
  }), [key]);

  // Changes no event tells of (MRNs or mappings added or removed, retry of failed ones): reload the grid page.
  const shape = useRef(null);
  useEffect(() => {
    const s = summary.data;
    if (!s) return;
    const i = s.instances || {};
    const now = { mrns: s.mrns, active: i.pending + i.fetching + i.completed + i.failed, outdated: i.outdated,
      deleted: i.deleted, pending: i.pending, fetching: i.fetching };
    const was = shape.current;
    shape.current = now;
    const settled = was && now.pending + now.fetching === 0 && was.pending + was.fetching > 0;
    if (was && (settled || was.mrns !== now.mrns || was.active !== now.active || was.outdated !== now.outdated
      || was.deleted !== now.deleted || now.pending > was.pending)) setGridVersion((v) => v + 1);
  }, [summary.data]);

  const changed = () => { refresh(); setGridVersion((v) => v + 1); };
  const maps = mappings.data || [];
  return html`<h1 tabindex="-1">Resources</h1>
    <${Summary} summary=${summary} live=${live} />
    <div class="toolbar">
      ${manager ? html`<button type="button" class="primary" onClick=${() => setDialog('add')}>Add MRNs</button>` : null}
      ${exporter ? html`<button type="button" onClick=${() => setDialog('download')}>Download</button>` : null}
      <button type="button" onClick=${changed}>Refresh</button>
    </div>
    <${ErrorNote} error=${mappings.error} />
    ${manager
    ? html`<${Grid} projectKey=${key} mappings=${maps} exporter=${exporter} version=${gridVersion} onChanged=${changed} />`
    : html`<${ByMapping} summary=${summary.data} /><${Instances} projectKey=${key} mappings=${maps} exporter=${exporter} />`}
    ${dialog === 'add' ? html`<${AddMrns} projectKey=${key} onClose=${(done) => { setDialog(null); if (done) changed(); }} />` : null}
    ${dialog === 'download' ? html`<${DownloadDialog} projectKey=${key} mappings=${maps} manager=${manager}
      onClose=${() => setDialog(null)} />` : null}`;
}

/** What a screen reader hears of a changing text: at most one announcement per ms, and the final state at once. */
function useAnnounced(text, ms, final) {
  const [said, setSaid] = useState(text);
  const at = useRef(0);
  useEffect(() => {
    const wait = final ? 0 : at.current + ms - Date.now();
    const t = setTimeout(() => { at.current = Date.now(); setSaid(text); }, Math.max(0, wait));
    return () => clearTimeout(t);
  }, [text, final]);
  return said;
}

function Summary({ summary, live }) {
  const s = summary.data;
  const i = (s && s.instances) || {};
  const total = i.pending + i.fetching + i.completed + i.failed;
  const done = i.completed + i.failed;
  const line = s ? `${num(done)} of ${num(total)} resources fetched, ${num(i.failed)} failed.` : '';
  const said = useAnnounced(line, 10000, s && done === total);
  if (!s) return html`<section aria-labelledby="sum-h"><h2 id="sum-h">Summary</h2>
    ${summary.error ? html`<${ErrorNote} error=${summary.error} />` : html`<p role="status">Loading…</p>`}</section>`;
  return html`<section aria-labelledby="sum-h" class="summary">
    <h2 id="sum-h">Summary</h2>
    <dl class="counts">
      <div><dt>MRNs</dt><dd>${num(s.mrns)}</dd></div>
      ${STATUSES.map((st) => html`<div class=${`c-${st}`}><dt><${Status} status=${st} /></dt><dd>${num(i[st])}</dd></div>`)}
      <div><dt><span class="prot">protected</span></dt><dd>${num(s.protected)}</dd></div>
    </dl>
    <${Progress} done=${done} total=${total} label="Resources fetched (completed or failed) of all active" />
    <p class="live"><span>${line}</span><span role="status" class="visually-hidden">${said}</span>
      <span class=${`conn conn-${live}`}>Live updates: ${live === 'live' ? 'on' : live}</span>
      ${summary.error ? html`<span class="error-inline">Refresh failed: ${summary.error.message}</span>` : null}</p>
  </section>`;
}

/** Readers and exporters: counts per mapping, no MRN. */
function ByMapping({ summary }) {
  if (!summary) return null;
  return html`<section aria-labelledby="bm-h"><h2 id="bm-h">By mapping</h2>
    <div class="scroll"><table class="list">
      <thead><tr><th scope="col">Mapping</th>${['pending', 'fetching', 'completed', 'failed'].map((s) => html`<th scope="col">${s}</th>`)}
        <th scope="col">Progress</th></tr></thead>
      <tbody>${(summary.byMapping || []).map((m) => html`<tr><th scope="row">${m.name}</th>
        <td>${num(m.pending)}</td><td>${num(m.fetching)}</td><td>${num(m.completed)}</td><td>${num(m.failed)}</td>
        <td><${Progress} done=${m.completed + m.failed} total=${m.pending + m.fetching + m.completed + m.failed}
          label=${`${m.name} fetched`} /></td></tr>`)}</tbody>
    </table></div></section>`;
}

/** Readers and exporters: the instance list without MRNs (exporters open payloads from it). */
function Instances({ projectKey: key, mappings, exporter }) {
  const [f, setF] = useState({ status: '', mapping: '', page: 0 });
  const [viewing, setViewing] = useState(null);
  const list = useLoad(() => api(projectPath(key, 'instances') + query({ status: f.status, mapping: f.mapping, page: f.page,
    size: 20 })), [key, f]);
  const d = list.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / 20)) : 1;
  const set = (k) => (v) => setF({ ...f, [k]: v, page: 0 });
  return html`<section aria-labelledby="in-h"><h2 id="in-h">Resource instances</h2>
    <div class="filters">
      <${Select} id="i-status" label="Status" value=${f.status} options=${statusOptions} onChange=${set('status')} />
      <${Select} id="i-mapping" label="Mapping" value=${f.mapping} options=${mappingOptions(mappings)} onChange=${set('mapping')} />
    </div>
    <${ErrorNote} error=${list.error} />
    ${d ? html`<div class="scroll"><table class="list">
      <thead><tr><th scope="col">Instance</th><th scope="col">Mapping</th><th scope="col">Status</th><th scope="col">Fetched</th>
        ${exporter ? html`<th scope="col">Payload</th>` : null}</tr></thead>
      <tbody>${d.items.map((i) => html`<tr><th scope="row">#${i.id}</th><td>${i.resourceName}</td>
        <td><${Status} status=${i.status} protectedRecord=${i.protected} />${i.errorClass ? ` (${i.errorClass})` : ''}</td>
        <td>${when(i.fetchedAt)}</td>
        ${exporter ? html`<td>${i.status === 'completed' ? html`<button type="button" class="link" aria-label=${`View instance ${i.id}`}
          onClick=${() => setViewing({ instanceId: i.id, mapping: i.resourceName, mrn: null })}>View</button>` : ''}</td>` : null}</tr>`)}</tbody>
    </table></div>
    <${Pager} page=${f.page} pages=${pages} total=${d.total} noun="instances" to=${(p) => setF({ ...f, page: p })} />` : null}
    ${viewing ? html`<${PayloadDialog} projectKey=${key} target=${viewing} onClose=${() => setViewing(null)} />` : null}
  </section>`;
}

// ---- the grid ----

function Grid({ projectKey: key, mappings, exporter, version, onChanged }) {
  const [filters, setFilters] = useState({ status: '', mapping: '', protected: false, page: 0 });
  const [prefix, setPrefix] = useState('');
  const mrn = useDebounced(prefix.trim(), 300);
  const [removing, setRemoving] = useState(null);
  const [viewing, setViewing] = useState(null);
  const cells = useRef(new Map()); // instanceId → [row, resource] indexes of the page shown
  // Keyset paging where we can: the page after one already seen is asked for with after=<its next> (fast deep in a
  // long list); a page jumped to (Last) with page=N.
  const cursors = useRef(new Map());
  const sig = JSON.stringify([filters.status, filters.mapping, filters.protected, mrn]);
  const during = useRef(null);
  const page = useLoad(async () => {
    during.current = [];
    const after = filters.page ? cursors.current.get(`${sig}|${filters.page}`) : undefined;
    const d = await api(projectPath(key, 'mrns') + query({ page: after ? '' : filters.page, after, size: PAGE_SIZE,
      status: filters.status, mapping: filters.mapping, protected: filters.protected ? 'true' : '', mrn }));
    if (d.next) cursors.current.set(`${sig}|${filters.page + 1}`, d.next);
    return { ...d, page: filters.page };
  }, [key, filters, mrn]);

  // A new search or filter starts at page 0.
  useEffect(() => { if (filters.page) setFilters((f) => ({ ...f, page: 0 })); }, [mrn]);
  const last = useRef(0);
  useEffect(() => {
    if (!version) return undefined;
    const wait = Math.max(0, last.current + BACKSTOP - Date.now()); // at most one reload per 5 s
    const t = setTimeout(() => { last.current = Date.now(); page.reload(); }, wait);
    return () => clearTimeout(t);
  }, [version]);

  useEffect(() => {
    if (page.loading) return;
    const map = new Map();
    ((page.data && page.data.items) || []).forEach((row, r) => row.resources.forEach((res, c) => map.set(res.instanceId, [r, c])));
    cells.current = map;
    const missed = during.current;
    during.current = null;
    if (missed) missed.forEach(apply);
  }, [page.data, page.loading]);

  // SSE: update the cell in place. Events that arrive while a page loads are applied again once it is there (the
  // page may have been read before them).
  const apply = (ev) => {
    const at = cells.current.get(ev.instanceId);
    if (!at) return;
    page.setData((d) => {
      const items = d.items.slice();
      const row = { ...items[at[0]], resources: items[at[0]].resources.slice() };
      const res = row.resources[at[1]];
      if (!res || res.instanceId !== ev.instanceId) return d;
      row.resources[at[1]] = { ...res, status: ev.status, protected: !!ev.protected, errorClass: ev.errorClass,
        error: ev.status === 'failed' ? res.error : undefined, fetchedAt: ev.status === 'completed' ? ev.at : res.fetchedAt };
      items[at[0]] = row;
      return { ...d, items };
    });
  };
  useEffect(() => subscribe(key, (kind, ev) => {
    if (kind !== 'instance') return;
    if (during.current) during.current.push(ev);
    apply(ev);
  }), [key]);

  const set = (k) => (v) => setFilters((f) => ({ ...f, [k]: v, page: 0 }));
  const d = page.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / PAGE_SIZE)) : 1;
  const to = (p) => setFilters((f) => ({ ...f, page: Math.min(Math.max(0, p), pages - 1) }));
  return html`<section aria-labelledby="grid-h">
    <h2 id="grid-h">MRNs and resources</h2>
    <form class="filters" role="search" aria-label="Filter MRNs" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="f-mrn">MRN starts with</label>
        <input id="f-mrn" type="search" value=${prefix} autocomplete="off" spellcheck="false" onInput=${(e) => setPrefix(e.target.value)} /></div>
      <${Select} id="f-status" label="Status" value=${filters.status} options=${statusOptions} onChange=${set('status')} />
      <${Select} id="f-mapping" label="Mapping" value=${filters.mapping} options=${mappingOptions(mappings)} onChange=${set('mapping')} />
      <div class="field check"><input id="f-protected" type="checkbox" checked=${filters.protected}
        onChange=${(e) => set('protected')(e.target.checked)} />
        <label for="f-protected">Only protected</label></div>
    </form>
    <${ErrorNote} error=${page.error} />
    ${!mappings.length ? html`<p>No mapping yet: add one on the Setup page.</p>` : null}
    ${d ? html`<div class="grid-wrap" tabindex="0" role="region" aria-label="MRN grid, scrolls sideways">
      <table class="grid" aria-busy=${page.loading ? 'true' : 'false'}>
        <caption class="visually-hidden">Resources of each MRN, page ${d.page + 1} of ${pages}</caption>
        <thead><tr><th scope="col" class="sticky">MRN</th>
          ${mappings.map((m) => html`<th scope="col">${m.name}</th>`)}<th scope="col" class="act"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${d.items.map((row) => html`<tr key=${row.mrn}>
          <th scope="row" class="sticky">${row.mrn}</th>
          ${mappings.map((m) => html`<${Cell} res=${row.resources.find((r) => r.mappingId === m.id)} mrn=${row.mrn}
            mapping=${m.name} exporter=${exporter} onView=${setViewing} />`)}
          <td class="act"><button type="button" class="small danger" aria-label=${`Remove MRN ${row.mrn}`} onClick=${() => setRemoving(row.mrn)}>Remove</button></td>
        </tr>`)}</tbody>
      </table></div>
      ${!d.items.length ? html`<p>No MRN matches.${mrn || filters.status || filters.mapping || filters.protected ? '' : ' Add MRNs to start.'}</p>` : null}
      <${Pager} page=${d.page} pages=${pages} total=${d.total} noun="MRNs" to=${to} ends />` : page.loading ? html`<p role="status">Loading…</p>` : null}
    ${removing ? html`<${Confirm} title=${`Remove MRN ${removing}?`} action="Remove MRN"
      onConfirm=${() => api(projectPath(key, 'mrns', encodeURIComponent(removing)), { method: 'DELETE' })}
      onClose=${(done) => { setRemoving(null); if (done) onChanged(); }}>
      <p>Its active resources become <strong>deleted</strong>: they stay for the audit trail but leave the grid and
        every future archive, and nothing more is fetched for it. Adding the MRN again fetches everything anew.</p><//>` : null}
    ${viewing ? html`<${PayloadDialog} projectKey=${key} target=${viewing} onClose=${() => setViewing(null)} />` : null}
  </section>`;
}

function Cell({ res, mrn, mapping, exporter, onView }) {
  if (!res) return html`<td class="cell none"><span class="visually-hidden">none</span></td>`;
  const failed = res.status === 'failed';
  return html`<td class=${`cell s-${res.status}`} data-instance=${res.instanceId}>
    ${failed ? html`<details><summary><${Status} status="failed" protectedRecord=${res.protected} />
        ${res.errorClass && res.errorClass !== 'protected' ? html` <span class="ec">${res.errorClass}</span>` : null}</summary>
        <p>${res.error || res.errorClass || 'No detail.'}</p></details>`
    : html`<${Status} status=${res.status} protectedRecord=${res.protected} />`}
    ${res.status === 'completed' && exporter ? html` <button type="button" class="link"
      aria-label=${`View ${mapping} of MRN ${mrn}`} onClick=${() => onView({ instanceId: res.instanceId, mapping, mrn })}>View</button>` : null}
  </td>`;
}

// ---- adding MRNs ----

function AddMrns({ projectKey: key, onClose }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const pick = async (e) => {
    const f = e.target.files[0];
    setError(null);
    if (!f) { setFile(null); return; }
    try { setFile({ name: f.name, text: await readFile(f) }); } catch (err) { setError(err); }
  };
  const body = file ? file.text : text;
  const lines = body.split('\n').filter((l) => l.trim()).length;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try { setResult(await api(projectPath(key, 'mrns'), { method: 'POST', text: body })); } catch (err) { setError(err); }
    setBusy(false);
  };
  const shown = result ? result.rejected.slice(0, 500) : [];
  return html`<${Dialog} title="Add MRNs" wide onClose=${() => onClose(!!result)}>
    ${result ? html`<div class="dialog-body" role="status">
        <p><strong>${num(result.added)}</strong> added, ${num(result.alreadyPresent)} already present,
          ${' '}${num(result.duplicates)} duplicates in the upload, <strong>${num(result.rejected.length)}</strong> rejected.</p>
        ${result.rejected.length ? html`<h3>Rejected</h3><div class="scroll short"><table class="list">
          <thead><tr><th scope="col">Line</th><th scope="col">Value</th><th scope="col">Reason</th></tr></thead>
          <tbody>${shown.map((r) => html`<tr><td>${r.position}</td><td><code>${r.mrn}</code></td><td>${r.reason}</td></tr>`)}</tbody>
        </table></div>${result.rejected.length > shown.length ? html`<p>…and ${num(result.rejected.length - shown.length)} more.</p>` : null}` : null}
      </div>
      <footer class="dialog-foot"><button type="button" class="primary" onClick=${() => onClose(true)}>Done</button></footer>`
    : html`<form onSubmit=${submit}>
      <div class="dialog-body">
        <div class="field"><label for="mrn-text">MRNs, one a line</label>
          <textarea id="mrn-text" rows="10" value=${text} disabled=${!!file} spellcheck="false"
            onInput=${(e) => setText(e.target.value)} aria-describedby="mrn-count"></textarea></div>
        <div class="field"><label for="mrn-file">Or upload a text file (one MRN a line)</label>
          <input id="mrn-file" type="file" accept=".txt,.csv,text/plain" onChange=${pick} /></div>
        <p id="mrn-count" class="hint">${file ? `${file.name}: ` : ''}${num(lines)} non-empty line(s); at most 100,000 a request.</p>
        <${ErrorNote} error=${error} />
      </div>
      <footer class="dialog-foot">
        <button type="button" onClick=${() => onClose(false)}>Cancel</button>
        <button class="primary" disabled=${busy || !lines}>${busy ? 'Adding…' : 'Add MRNs'}</button>
      </footer>
    </form>`}
  <//>`;
}
