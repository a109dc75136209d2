// The payload viewer and the archive download dialog (every filter of api.md). The archive is downloaded by a
// plain link navigation, so the browser's download manager streams it: never fetch + Blob.

import { useEffect, useState } from 'preact/hooks';
import { api, fetchText, projectPath, query } from '../api.js';
import { html, num, ErrorNote, Dialog } from '../ui.js';

const VIEW_LIMIT = 2 * 1024 * 1024; // what the dialog shows of a payload; the rest via "Open in a new tab"

export function PayloadDialog({ projectKey: key, target, onClose }) {
  const url = projectPath(key, 'payloads', target.instanceId);
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    fetchText(url, VIEW_LIMIT).then((r) => {
      let text = r.text;
      if (!r.truncated) { try { text = JSON.stringify(JSON.parse(r.text), null, 2); } catch { /* show as is */ } }
      setState({ ...r, text });
    }, (error) => setState({ error }));
  }, [url]);
  return html`<${Dialog} title=${target.mrn ? `${target.mapping} of MRN ${target.mrn}` : `${target.mapping}, instance ${target.instanceId}`}
    wide onClose=${onClose}>
    <div class="dialog-body">
      <p class="toolbar"><a href=${url} target="_blank" rel="noopener">Open in a new tab</a>
        <a href=${url} download=${`${target.mapping}-${target.instanceId}.json`}>Save as file</a>
        ${state.bytes ? html`<span>${num(state.bytes)} bytes</span>` : null}</p>
      <${ErrorNote} error=${state.error} />
      ${state.loading ? html`<p role="status">Loading…</p>` : null}
      ${state.truncated ? html`<p class="warning" role="status">Only the first ${num(VIEW_LIMIT)} bytes are shown: open it
        in a new tab or save it for the rest.</p>` : null}
      ${state.text != null ? html`<pre class="payload" tabindex="0" aria-label="Payload (FHIR JSON)">${state.text}</pre>` : null}
    </div>
  <//>`;
}

const lines = (s) => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
const iso = (local) => (local ? new Date(local).toISOString() : '');

/** The archive URL for the dialog's fields (every filter of api.md; repeatable ones repeat). */
export function archiveUrl(key, f) {
  return projectPath(key, 'archive') + query({
    mrn: lines(f.mrns), mapping: f.mappings, format: f.format,
    fetchedAfter: iso(f.fetchedAfter), fetchedBefore: iso(f.fetchedBefore),
    type: f.types.split(/[\s,]+/).filter(Boolean), from: f.from, to: f.to });
}

export function DownloadDialog({ projectKey: key, mappings, onClose }) {
  const [f, setF] = useState({ mrns: '', mappings: [], format: 'json', fetchedAfter: '', fetchedBefore: '', types: '',
    from: '', to: '' });
  const [state, setState] = useState({});
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const toggle = (id) => setF({ ...f, mappings: f.mappings.includes(id) ? f.mappings.filter((x) => x !== id) : [...f.mappings, id] });
  const url = archiveUrl(key, f);

  // A HEAD first (no download is recorded): a bad filter is said here instead of becoming a downloaded error file.
  const download = async (e) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      await api(url, { method: 'HEAD' });
    } catch (err) {
      let error = err;
      if (err.status >= 400 && err.status < 500) await api(url).catch((full) => { error = full; });
      setState({ error });
      return;
    }
    const a = document.createElement('a');
    a.href = url;
    a.download = '';
    document.body.append(a);
    a.click();
    a.remove();
    setState({ started: true });
  };
  return html`<${Dialog} title="Download an archive" wide onClose=${onClose}>
    <form onSubmit=${download}>
      <div class="dialog-body download">
        <p class="hint">A ZIP of the completed resources with a manifest; every filter is optional. Your browser
          streams it to disk.</p>
        <fieldset><legend>Mappings (none checked: all)</legend>
          ${mappings.map((m) => html`<div class="check"><input type="checkbox" id=${`dl-m-${m.id}`}
            checked=${f.mappings.includes(String(m.id))} onChange=${() => toggle(String(m.id))} />
            <label for=${`dl-m-${m.id}`}>${m.name}</label></div>`)}
        </fieldset>
        <fieldset><legend>Format</legend>
          ${[['json', 'JSON (one file per resource set; resumable)'], ['ndjson', 'NDJSON (one file per resource type)']].map(([v, l]) => html`
            <div class="check"><input type="radio" name="format" id=${`dl-f-${v}`} value=${v} checked=${f.format === v}
              onChange=${set('format')} /><label for=${`dl-f-${v}`}>${l}</label></div>`)}
        </fieldset>
        <div class="field"><label for="dl-mrns">MRNs (one a line; empty: all)</label>
          <textarea id="dl-mrns" rows="3" spellcheck="false" value=${f.mrns} onInput=${set('mrns')}></textarea></div>
        <div class="field"><label for="dl-types">FHIR resource types (e.g. Observation, Condition)</label>
          <input id="dl-types" value=${f.types} onInput=${set('types')} spellcheck="false" /></div>
        <div class="pair">
          <div class="field"><label for="dl-fa">Fetched after</label>
            <input id="dl-fa" type="datetime-local" value=${f.fetchedAfter} onInput=${set('fetchedAfter')} /></div>
          <div class="field"><label for="dl-fb">Fetched before</label>
            <input id="dl-fb" type="datetime-local" value=${f.fetchedBefore} onInput=${set('fetchedBefore')} /></div>
        </div>
        <div class="pair">
          <div class="field"><label for="dl-from">Clinical date from (inclusive)</label>
            <input id="dl-from" type="date" value=${f.from} onInput=${set('from')} aria-describedby="dl-dates" /></div>
          <div class="field"><label for="dl-to">Clinical date to (exclusive)</label>
            <input id="dl-to" type="date" value=${f.to} onInput=${set('to')} aria-describedby="dl-dates" /></div>
        </div>
        <p id="dl-dates" class="hint">Clinical dates are days in UTC; resources without one are kept (counted
          “undated” in the manifest).</p>
        <p class="url">Address: <code>${url}</code></p>
        <${ErrorNote} error=${state.error} />
        ${state.started ? html`<p role="status">The download has started: see your browser's downloads.</p>` : null}
      </div>
      <footer class="dialog-foot">
        <button type="button" onClick=${onClose}>Close</button>
        <button class="primary" disabled=${state.busy}>Download ZIP</button>
      </footer>
    </form>
  <//>`;
}
