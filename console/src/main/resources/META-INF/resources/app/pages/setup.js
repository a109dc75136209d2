// Setup: projects and FHIR systems (#/setup), and one project's FHIR system and mappings (#/projects/{key}/setup).

import { useEffect, useState } from 'preact/hooks';
import { api, projectPath } from '../api.js';
import { html, can, roleIn, useLoad, useDebounced, ErrorNote, Dialog, Confirm, Field, Select, readFile, go, projectHref,
  when } from '../ui.js';

const form = (e) => Object.fromEntries(new FormData(e.target));
const listSystems = () => api('/api/fhir-systems?size=500').then((p) => p.items);
const systemOptions = (systems) => systems.map((y) => [y.id, `${y.name} (${y.baseUrl})`]);

/** Runs an async submit: { busy, error, run(fn) }. */
function useSubmit() {
  const [state, setState] = useState({ busy: false, error: null });
  const run = async (fn) => {
    setState({ busy: true, error: null });
    try { await fn(); setState({ busy: false, error: null }); return true; } catch (e) {
      setState({ busy: false, error: e });
      return false;
    }
  };
  return { ...state, run };
}

// ---------------------------------------------------------------------------------------------------------------
// #/setup

export function SetupHome({ me, projects, reloadProjects }) {
  const systems = useLoad(() => (me.admin ? listSystems() : Promise.resolve([])), [me.admin]);
  return html`<h1 tabindex="-1">Projects</h1>
    <section aria-labelledby="projects-h">
      <h2 id="projects-h">Your projects</h2>
      ${projects.length ? html`<table class="list">
        <thead><tr><th scope="col">Project</th><th scope="col">Key</th><th scope="col">Your role</th><th scope="col">Pages</th></tr></thead>
        <tbody>${projects.map((p) => html`<tr>
          <th scope="row">${p.name || p.key}</th><td><code>${p.key}</code></td><td>${roleIn(me, p.key) || '—'}</td>
          <td class="links"><a href=${projectHref(p.key, 'resources')}>Resources</a>
            <a href=${projectHref(p.key, 'tasks')}>Tasks</a> <a href=${projectHref(p.key, 'setup')}>Setup</a></td>
        </tr>`)}</tbody></table>`
    : html`<p>You have no project yet.${me.admin ? ' Create one below.' : ' Ask an administrator for a role in one.'}</p>`}
    </section>
    ${me.admin ? html`
      <${NewProject} systems=${systems.data || []} onCreated=${async (key) => { await reloadProjects(); go(projectHref(key, 'setup')); }} />
      <${Systems} systems=${systems} />` : null}`;
}

function NewProject({ systems, onCreated }) {
  const s = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    const f = form(e);
    s.run(async () => {
      await api('/api/projects', { method: 'POST',
        json: { key: f.key, name: f.name, fhirSystemId: Number(f.fhirSystemId), enabled: f.enabled === 'on' } });
      await onCreated(f.key); // the project list has it before the page opens: no "No such project" flash
    });
  };
  return html`<section aria-labelledby="new-project-h">
    <h2 id="new-project-h">New project</h2>
    <form class="grid-form" onSubmit=${submit}>
      <${Field} id="np-key" label="Key" hint="1 to 64 lower-case letters, digits or '-'; it cannot change">
        <input id="np-key" name="key" required pattern="[a-z0-9\\-]{1,64}" aria-describedby="np-key-hint" /><//>
      <${Field} id="np-name" label="Name"><input id="np-name" name="name" required maxlength="200" /><//>
      <${Select} id="np-system" label="FHIR system" name="fhirSystemId" required value=""
        options=${[['', 'Choose…'], ...systemOptions(systems)]} />
      <div class="field check"><input id="np-enabled" type="checkbox" name="enabled" checked />
        <label for="np-enabled">Enabled</label></div>
      <div class="actions"><button class="primary" disabled=${s.busy}>Create project</button></div>
      <${ErrorNote} error=${s.error} />
    </form>
  </section>`;
}

/** A FHIR system check: what answered and whether a token was obtained, or what failed. */
export function CheckResult({ result }) {
  if (!result) return null;
  const t = result.token || {};
  const token = !t.needed ? 'not needed (no authentication)'
    : t.obtained === true ? `obtained${t.lifetimeSeconds ? ` (valid ${t.lifetimeSeconds} s)` : ''}`
      : t.obtained === false ? `not obtained: ${t.detail || t.error || ''}` : (t.detail || 'not tested');
  return html`<dl class="check-result">
    <dt>Reachable</dt><dd class=${result.reachable ? 'ok' : 'bad'}>${result.reachable ? '✓ yes' : '✕ no'}${
  result.detail ? ` — ${result.detail}` : ''}</dd>
    ${result.fhirVersion ? html`<dt>FHIR version</dt><dd>${result.fhirVersion}${result.software ? ` (${result.software})` : ''}</dd>` : null}
    <dt>Token</dt><dd class=${t.needed && t.obtained === false ? 'bad' : 'ok'}>${token}</dd>
    ${t.tokenEndpoint ? html`<dt>Token endpoint</dt><dd><code>${t.tokenEndpoint}</code></dd>` : null}
  </dl>`;
}

function CheckButton({ id, name }) {
  const [result, setResult] = useState(null);
  const s = useSubmit();
  const check = () => s.run(async () => {
    setResult(null);
    setResult(await api(`/api/fhir-systems/${id}/check`, { method: 'POST' }));
  });
  return html`<div class="checker">
    <button type="button" onClick=${check} disabled=${s.busy} aria-label=${`Check ${name}`}>
      ${s.busy ? 'Checking…' : 'Check'}</button>
    <div role="status" aria-live="polite"><${CheckResult} result=${result} /><${ErrorNote} error=${s.error} /></div>
  </div>`;
}

const AUTH_FIELDS = {
  none: [],
  bearer: [['token', 'Bearer token', 'password']],
  'client-secret': [['tokenUrl', 'Token URL'], ['clientId', 'Client id'], ['clientSecret', 'Client secret', 'password'],
    ['scope', 'Scope']],
  'smart-backend': [['tokenUrl', 'Token URL (empty: discovered)'], ['clientId', 'Client id'], ['scope', 'Scope'],
    ['keyId', 'Key id'], ['algorithm', 'Algorithm (RS384 or ES384)']],
};

function Systems({ systems }) {
  const [auth, setAuth] = useState('none');
  const s = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    const f = form(e);
    const a = { type: auth };
    for (const [k] of AUTH_FIELDS[auth]) if (f[k]) a[k] = f[k];
    s.run(async () => {
      await api('/api/fhir-systems', { method: 'POST', json: { name: f.name, baseUrl: f.baseUrl,
        patientIdentifierSystem: f.patientIdentifierSystem || null, auth: a } });
      e.target.reset();
      setAuth('none');
      systems.reload();
    });
  };
  return html`<section aria-labelledby="systems-h">
    <h2 id="systems-h">FHIR systems</h2>
    <${ErrorNote} error=${systems.error} />
    ${systems.data && systems.data.length ? html`<table class="list">
      <thead><tr><th scope="col">Name</th><th scope="col">Base URL</th><th scope="col">Authentication</th><th scope="col">Check</th></tr></thead>
      <tbody>${systems.data.map((y) => html`<tr>
        <th scope="row">${y.name} <small>#${y.id}</small></th><td><code>${y.baseUrl}</code></td>
        <td>${y.auth ? y.auth.type : 'none'}${y.auth && y.auth.jwksUrl ? html`<br /><small>JWKS: <code>${y.auth.jwksUrl}</code></small>` : null}</td>
        <td><${CheckButton} id=${y.id} name=${y.name} /></td></tr>`)}</tbody></table>`
    : systems.data ? html`<p>No FHIR system yet.</p>` : null}
    <h3>New FHIR system</h3>
    <form class="grid-form" onSubmit=${submit}>
      <${Field} id="fs-name" label="Name"><input id="fs-name" name="name" required maxlength="200" /><//>
      <${Field} id="fs-base" label="Base URL" hint="e.g. https://ehr.example.org/fhir/R4">
        <input id="fs-base" name="baseUrl" type="url" required aria-describedby="fs-base-hint" /><//>
      <${Field} id="fs-idsys" label="Patient identifier system (MRN)" hint="empty: the MRN is the Patient id">
        <input id="fs-idsys" name="patientIdentifierSystem" aria-describedby="fs-idsys-hint" /><//>
      <${Select} id="fs-auth" label="Authentication" value=${auth} onChange=${setAuth}
        options=${Object.keys(AUTH_FIELDS).map((k) => [k, k])} />
      ${AUTH_FIELDS[auth].map(([k, label, type]) => html`<${Field} key=${k} id=${`fs-${k}`} label=${label}>
        <input id=${`fs-${k}`} name=${k} type=${type || 'text'} autocomplete="off" /><//>`)}
      <div class="actions"><button class="primary" disabled=${s.busy}>Create FHIR system</button></div>
      <${ErrorNote} error=${s.error} />
    </form>
  </section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// #/projects/{key}/setup

export function ProjectSetup({ projectKey: key, me, reloadProjects }) {
  const project = useLoad(() => api(projectPath(key)), [key]);
  const manager = can(me, key, 'manager');
  return html`<h1 tabindex="-1">Setup: ${project.data ? project.data.name : key}</h1>
    <${ErrorNote} error=${project.error} />
    ${project.data ? html`<${ProjectSystem} key="system" me=${me} project=${project.data}
      onSaved=${() => { project.reload(); reloadProjects(); }} />` : null}
    <${Mappings} key="mappings" projectKey=${key} manager=${manager} />`;
}

function ProjectSystem({ me, project, onSaved }) {
  const systems = useLoad(() => (me.admin ? listSystems() : Promise.resolve(null)), [me.admin]);
  const [systemId, setSystemId] = useState(String(project.fhirSystemId));
  const s = useSubmit();
  const [saved, setSaved] = useState(false);
  useEffect(() => setSystemId(String(project.fhirSystemId)), [project.fhirSystemId]);
  const current = systems.data && systems.data.find((y) => String(y.id) === String(project.fhirSystemId));
  const submit = (e) => {
    e.preventDefault();
    const f = form(e);
    setSaved(false);
    s.run(async () => {
      await api(projectPath(project.key), { method: 'PUT',
        json: { name: f.name, fhirSystemId: Number(systemId), enabled: f.enabled === 'on' } });
      setSaved(true);
      onSaved();
    });
  };
  if (!me.admin) {
    return html`<section aria-labelledby="sys-h"><h2 id="sys-h">FHIR system</h2>
      <p>FHIR system #${project.fhirSystemId}; project ${project.enabled ? 'enabled' : 'disabled'}.
        Administrators change it.</p></section>`;
  }
  return html`<section aria-labelledby="sys-h">
    <h2 id="sys-h">FHIR system</h2>
    <${ErrorNote} error=${systems.error} />
    <form class="grid-form" onSubmit=${submit}>
      <${Field} id="ps-name" label="Project name"><input id="ps-name" name="name" required maxlength="200" value=${project.name} /><//>
      <${Select} id="ps-system" label="FHIR system" value=${systemId} onChange=${setSystemId}
        options=${[...systemOptions(systems.data || []), ...(current ? [] : [[project.fhirSystemId, `#${project.fhirSystemId}`]])]} />
      <div class="field check"><input id="ps-enabled" type="checkbox" name="enabled" checked=${project.enabled} />
        <label for="ps-enabled">Enabled</label></div>
      <div class="actions"><button class="primary" disabled=${s.busy}>Save project</button>
        <span role="status">${saved ? 'Saved.' : ''}</span></div>
      <${ErrorNote} error=${s.error} />
    </form>
    <${CheckButton} id=${systemId} name=${(systems.data || []).find((y) => String(y.id) === systemId)?.name || 'FHIR system'} />
  </section>`;
}

// ---- mappings ----

/** Validation as you type: POST /api/catalog/validate, 300 ms after the last change. */
function useValidation(type, spec, params) {
  const settled = useDebounced(spec, 300);
  const [result, setResult] = useState(null);
  useEffect(() => {
    if (!settled || !settled.trim()) { setResult(null); return undefined; }
    const ctl = new AbortController();
    setResult({ checking: true });
    api('/api/catalog/validate', { method: 'POST', json: { type, spec: settled, params }, signal: ctl.signal })
      .then((r) => setResult(r), (e) => { if (e.name !== 'AbortError') setResult({ unknown: true, detail: e.message }); });
    return () => ctl.abort();
  }, [type, settled]);
  return settled === spec ? result : { checking: true };
}

function ValidationNote({ id, result }) {
  const text = !result ? 'A FHIR search relative to the base URL, e.g. Observation?category=social-history'
    : result.checking ? 'Checking…'
      : result.unknown ? `Cannot check now (${result.detail}); it is checked again when saved.`
        : result.valid ? `✓ Valid: searches ${result.resourceType} as ${result.search}`
          : `✕ ${result.field ? `${result.field}: ` : ''}${result.detail}`;
  const cls = result && !result.checking ? (result.valid ? 'valid' : result.unknown ? '' : 'invalid') : '';
  return html`<small id=${id} class=${`note ${cls}`} aria-live="polite">${text}</small>`;
}

/** Name + spec of a mapping; custom specs are validated as you type. */
function MappingFields({ prefix, type, catalog, value, onChange }) {
  const v = useValidation(type, type === 'custom' ? value.spec : '', value.params);
  const invalid = v && v.valid === false;
  return html`
    <${Field} id=${`${prefix}-name`} label="Name"><input id=${`${prefix}-name`} required maxlength="200" value=${value.name}
      onInput=${(e) => onChange({ ...value, name: e.target.value })} /><//>
    ${type === 'custom' ? html`<div class="field wide-field">
        <label for=${`${prefix}-spec`}>FHIR search</label>
        <input id=${`${prefix}-spec`} required value=${value.spec} spellcheck="false" autocomplete="off"
          aria-invalid=${invalid ? 'true' : 'false'} aria-describedby=${`${prefix}-spec-note`}
          onInput=${(e) => onChange({ ...value, spec: e.target.value })} />
        <${ValidationNote} id=${`${prefix}-spec-note`} result=${v} />
      </div>`
    : html`<${Select} id=${`${prefix}-spec`} label="Catalog resource" value=${value.spec}
        onChange=${(spec) => onChange({ ...value, spec })} options=${catalog.map((c) => [c.key, `${c.name} — ${c.search}`])} />`}`;
}

function Mappings({ projectKey: key, manager }) {
  const mappings = useLoad(() => api(`${projectPath(key, 'mappings')}?size=500`).then((p) => p.items), [key]);
  const catalog = useLoad(() => api('/api/catalog/predefined'), []);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [report, setReport] = useState(null);
  const list = mappings.data || [];
  const cat = catalog.data || [];

  const exportJson = () => {
    const data = list.map(({ name, type, spec, params }) => ({ name, type, spec, ...(params && Object.keys(params).length ? { params } : {}) }));
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify({ mappings: data }, null, 2)], { type: 'application/json' }));
    a.download = `${key}-mappings.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  const importJson = async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    let items;
    try {
      const parsed = JSON.parse(await readFile(file));
      items = Array.isArray(parsed) ? parsed : parsed.mappings || parsed.items;
      if (!Array.isArray(items)) throw new Error('expected a list of mappings or {"mappings": [...]}');
    } catch (err) {
      setReport({ file: file.name, error: `${file.name} is not a mappings file: ${err.message}` });
      return;
    }
    setReport({ file: file.name, running: true, lines: [] });
    const lines = [];
    for (const [i, m] of items.entries()) {
      const label = `#${i + 1} ${m && m.name ? m.name : '(no name)'}`;
      try {
        await api(projectPath(key, 'mappings'), { method: 'POST',
          json: { name: m.name, type: m.type, spec: m.spec, params: m.params } });
        lines.push({ ok: true, text: `${label}: imported` });
      } catch (err) {
        lines.push({ ok: false, text: `${label}: ${err.detail || err.message}` });
      }
      setReport({ file: file.name, running: true, lines: [...lines] });
    }
    setReport({ file: file.name, lines });
    mappings.reload();
  };

  return html`<section aria-labelledby="map-h">
    <h2 id="map-h">Mappings</h2>
    <p class="hint">Each mapping is one resource fetched for every MRN of the project.</p>
    <${ErrorNote} error=${mappings.error} />
    ${list.length ? html`<div class="scroll" key="list"><table class="list">
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Search</th><th scope="col">Revision</th>
        <th scope="col">Updated</th>${manager ? html`<th scope="col">Actions</th>` : null}</tr></thead>
      <tbody>${list.map((m) => html`<tr>
        <th scope="row">${m.name}</th><td>${m.type}</td>
        <td><code>${m.type === 'predefined' ? m.spec : m.spec}</code>${m.query && m.query !== m.spec ? html`<br /><small><code>${m.query}</code></small>` : null}</td>
        <td>${m.revision}</td><td>${when(m.updatedAt)}</td>
        ${manager ? html`<td class="links">
          <button type="button" onClick=${() => setEditing(m)} aria-label=${`Edit ${m.name}`}>Edit</button>
          <button type="button" class="danger" onClick=${() => setDeleting(m)} aria-label=${`Delete ${m.name}`}>Delete</button>
        </td>` : null}</tr>`)}</tbody></table></div>`
    : mappings.data ? html`<p key="none">No mapping yet.${manager ? ' Add one from the catalog or as a custom search.' : ''}</p>` : html`<p key="loading" role="status">Loading…</p>`}
    <div class="toolbar" key="toolbar">
      <button type="button" onClick=${exportJson} disabled=${!list.length}>Export mappings (JSON)</button>
      ${manager ? html`<label class="button" for="import-file">Import mappings (JSON)</label>
        <input id="import-file" class="visually-hidden" type="file" accept="application/json,.json" onChange=${importJson} />` : null}
    </div>
    ${report ? html`<div class="report" key="report" role="status">
      ${report.error ? html`<p class="error">${report.error}</p>` : html`<p>Import of ${report.file}: ${report.lines.filter((l) => l.ok).length} imported, ${report.lines.filter((l) => !l.ok).length} failed${report.running ? ' so far…' : '.'}</p>
        <ul>${report.lines.map((l) => html`<li class=${l.ok ? 'ok' : 'bad'}>${l.ok ? '✓' : '✕'} ${l.text}</li>`)}</ul>`}
    </div>` : null}
    ${manager ? html`<${Catalog} key="catalog" projectKey=${key} catalog=${catalog} mappings=${list} onAdded=${mappings.reload} />` : null}
    ${manager ? html`<${AddCustom} key="custom" projectKey=${key} onAdded=${mappings.reload} />` : null}
    ${editing ? html`<${EditMapping} projectKey=${key} mapping=${editing} catalog=${cat}
      onClose=${(changed) => { setEditing(null); if (changed) mappings.reload(); }} />` : null}
    ${deleting ? html`<${Confirm} title=${`Delete mapping “${deleting.name}”?`} action="Delete mapping"
      onConfirm=${() => api(projectPath(key, 'mappings', deleting.id), { method: 'DELETE' })}
      onClose=${(done) => { setDeleting(null); if (done) mappings.reload(); }}>
      <p>Its instances become <strong>deleted</strong>: they stay for the audit trail but leave the grid and every
        future archive, and nothing more is fetched for it. This cannot be undone: adding it again creates new
        instances and fetches them anew for every MRN.</p><//>` : null}
  </section>`;
}

function Catalog({ projectKey: key, catalog, mappings, onAdded }) {
  const s = useSubmit();
  const [added, setAdded] = useState('');
  const add = (c) => s.run(async () => {
    await api(projectPath(key, 'mappings'), { method: 'POST', json: { name: c.name, type: 'predefined', spec: c.key } });
    setAdded(`${c.name} added.`);
    onAdded();
  });
  return html`<section aria-labelledby="cat-h">
    <h3 id="cat-h">Add from the catalog</h3>
    <${ErrorNote} error=${catalog.error || s.error} />
    <div class="scroll"><table class="list">
      <thead><tr><th scope="col">Resource</th><th scope="col">Search</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody>${(catalog.data || []).map((c) => {
    const present = mappings.some((m) => m.type === 'predefined' && m.spec === c.key);
    return html`<tr><th scope="row">${c.name}</th><td><code>${c.search}</code></td><td>
          ${present ? html`<span>✓ added</span>` : html`<button type="button" disabled=${s.busy}
            aria-label=${`Add ${c.name}`} onClick=${() => add(c)}>Add</button>`}</td></tr>`;
  })}</tbody></table></div>
    <p role="status" class="hint">${added}</p>
  </section>`;
}

function AddCustom({ projectKey: key, onAdded }) {
  const [value, setValue] = useState({ name: '', spec: '' });
  const s = useSubmit();
  const submit = (e) => {
    e.preventDefault();
    s.run(async () => {
      await api(projectPath(key, 'mappings'), { method: 'POST', json: { name: value.name, type: 'custom', spec: value.spec } });
      setValue({ name: '', spec: '' });
      onAdded();
    });
  };
  return html`<section aria-labelledby="custom-h">
    <h3 id="custom-h">Add a custom search</h3>
    <form class="grid-form" onSubmit=${submit}>
      <${MappingFields} prefix="custom" type="custom" catalog=${[]} value=${value} onChange=${setValue} />
      <div class="actions"><button class="primary" disabled=${s.busy}>Add custom search</button></div>
      <${ErrorNote} error=${s.error} />
    </form>
  </section>`;
}

function EditMapping({ projectKey: key, mapping, catalog, onClose }) {
  const [value, setValue] = useState({ name: mapping.name, spec: mapping.spec, params: mapping.params });
  const s = useSubmit();
  const submit = async (e) => {
    e.preventDefault();
    const ok = await s.run(() => api(projectPath(key, 'mappings', mapping.id), { method: 'PUT',
      json: { name: value.name, type: mapping.type, spec: value.spec, params: mapping.params } }));
    if (ok) onClose(true);
  };
  return html`<${Dialog} title=${`Edit mapping “${mapping.name}”`} onClose=${() => onClose(false)}>
    <form onSubmit=${submit}>
      <div class="dialog-body">
        <${MappingFields} prefix="edit" type=${mapping.type} catalog=${catalog} value=${value} onChange=${setValue} />
        <p class="warning"><strong>Saving bumps the revision</strong> (now ${mapping.revision}): this mapping's existing
          instances become <strong>outdated</strong> (kept for the audit trail, no longer in archives) and new ones are
          created: the resource is fetched again for every MRN.</p>
        <${ErrorNote} error=${s.error} />
      </div>
      <footer class="dialog-foot">
        <button type="button" onClick=${() => onClose(false)}>Cancel</button>
        <button class="primary" disabled=${s.busy}>Save and fetch again</button>
      </footer>
    </form>
  <//>`;
}
