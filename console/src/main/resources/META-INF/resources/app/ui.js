// Small shared pieces: html, hooks, roles, dialogs, progress, status badges.

import { h } from 'preact';
import { useEffect, useRef, useState, useCallback, useId } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

// ---- roles (the backends decide; this only hides what the caller may not do) ----
const RANKS = { reader: 1, exporter: 2, manager: 3 };
export const roleIn = (me, key) => (me.admin ? 'admin' : (me.projects || {})[key]);
export const can = (me, key, need) => me.admin || (RANKS[(me.projects || {})[key]] || 0) >= RANKS[need];

// ---- routes ----
export const go = (route) => { location.hash = route; };
export const projectHref = (key, page) => `#/projects/${encodeURIComponent(key)}/${page}`;

// ---- formatting ----
const numbers = new Intl.NumberFormat('en');
export const num = (n) => numbers.format(n || 0);
export const when = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '');
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

// ---- hooks ----
/** Runs load() now and whenever deps change; { data, error, loading, reload, setData }. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    return Promise.resolve().then(load).then(
      (data) => { if (mine === seq.current) setState({ data, error: null, loading: false }); },
      (error) => { if (mine === seq.current) setState((s) => ({ ...s, error, loading: false })); });
  }, deps);
  useEffect(() => { reload(); }, [reload]);
  const setData = (f) => setState((s) => ({ ...s, data: typeof f === 'function' ? f(s.data) : f }));
  return { ...state, reload, setData };
}

/** value, settled for ms milliseconds. */
export function useDebounced(value, ms) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Calls fn every ms milliseconds (null: paused); always the latest fn. */
export function useInterval(fn, ms) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    if (ms == null) return undefined;
    const t = setInterval(() => latest.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

// ---- components ----
export const ErrorNote = ({ error }) => error
  ? html`<div class="error" role="alert"><p>${error.message || String(error)}</p>${(error.errors || []).length
    && !(error.errors.length === 1 && String(error.detail).includes(error.errors[0].message))
    ? html`<ul>${error.errors.map((e) => html`<li>${e.field}: ${e.message}</li>`)}</ul>` : null}</div>` : null;

/** A modal <dialog>: focus moves in (the first field, else the dialog), Esc closes, focus returns to the opener. */
export function Dialog({ title, onClose, children, wide }) {
  const ref = useRef();
  const id = useId();
  useEffect(() => {
    const opener = document.activeElement;
    const d = ref.current;
    d.showModal();
    const first = d.querySelector('[autofocus], input:not([type=hidden]), select, textarea');
    (first || d).focus();
    return () => { if (opener && opener.isConnected) opener.focus(); };
  }, []);
  return html`<dialog ref=${ref} class=${wide ? 'wide' : ''} aria-labelledby=${id} tabindex="-1"
      onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <header class="dialog-head">
      <h2 id=${id}>${title}</h2>
      <button type="button" class="icon" aria-label="Close" onClick=${onClose}>✕</button>
    </header>
    ${children}
  </dialog>`;
}

/** Asks before an action and says what it does; runs onConfirm (a promise) and shows its error. */
export function Confirm({ title, children, action, onConfirm, onClose, danger = true }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try { await onConfirm(); onClose(true); } catch (e) { setError(e); setBusy(false); }
  };
  return html`<${Dialog} title=${title} onClose=${() => onClose(false)}>
    <div class="dialog-body">${children}<${ErrorNote} error=${error} /></div>
    <footer class="dialog-foot">
      <button type="button" onClick=${() => onClose(false)}>Cancel</button>
      <button type="button" class=${danger ? 'danger' : 'primary'} disabled=${busy} onClick=${go}>${action}</button>
    </footer>
  <//>`;
}

/** A labelled progress bar with its numbers in text (not by the bar alone). */
export function Progress({ done, total, label, extra }) {
  const pct = total ? Math.floor((done / total) * 100) : 0;
  return html`<div class="progress">
    <progress max=${total || 1} value=${total ? done : 0} aria-label=${label}></progress>
    <span>${num(done)} / ${num(total)} (${pct} %)${extra ? ` · ${extra}` : ''}</span>
  </div>`;
}

const ICONS = { pending: '○', fetching: '◔', completed: '✓', failed: '✕', outdated: '↻', deleted: '–' };
/** A status as icon + word (colour is only a third hint). */
export const Status = ({ status, protectedRecord }) => html`<span class=${`st st-${status}`}>
  <span aria-hidden="true" class="st-icon">${ICONS[status] || '?'}</span>${status}${protectedRecord
    ? html` <span class="prot" title="The EHR withheld this record (break-the-glass)">protected</span>` : null}
</span>`;

/** A labelled form row. */
export const Field = ({ label, hint, children, id }) => html`<div class="field">
  <label for=${id}>${label}</label>${children}${hint ? html`<small id=${`${id}-hint`}>${hint}</small>` : null}
</div>`;

/** A labelled select; options are [value, text] pairs; onChange gets the value. */
export const Select = ({ id, label, value, options, onChange, name, required }) => html`<div class="field">
  <label for=${id}>${label}</label>
  <select id=${id} name=${name} required=${required} onChange=${onChange && ((e) => onChange(e.target.value))}>
    ${options.map(([v, text]) => html`<option value=${v} selected=${String(v) === String(value)}>${text}</option>`)}
  </select></div>`;

/** Previous/next paging; to(p) goes to page p (from 0). */
export const Pager = ({ page, pages, total, noun, to, ends }) => html`<nav class="pager" aria-label=${`${noun} pages`}>
  ${ends ? html`<button type="button" disabled=${page === 0} onClick=${() => to(0)}>First</button>` : null}
  <button type="button" disabled=${page === 0} onClick=${() => to(page - 1)}>Previous</button>
  <span>Page ${page + 1} of ${num(pages)} · ${num(total)} ${noun}</span>
  <button type="button" disabled=${page + 1 >= pages} onClick=${() => to(page + 1)}>Next</button>
  ${ends ? html`<button type="button" disabled=${page + 1 >= pages} onClick=${() => to(pages - 1)}>Last</button>` : null}
</nav>`;

/** Reads a chosen file as text. */
export const readFile = (file) => new Promise((resolve, reject) => {
  const r = new FileReader();
  r.onload = () => resolve(r.result);
  r.onerror = () => reject(new Error(`Cannot read ${file.name}`));
  r.readAsText(file);
});
