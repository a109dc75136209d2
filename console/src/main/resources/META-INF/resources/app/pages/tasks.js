// Tasks: the project's background tasks (polled every 2 s while one is pending or running), starting a full sync or
// a retry of the failed ones (managers), and one task's log and report.

import { useState } from 'preact/hooks';
import { api, projectPath } from '../api.js';
import { html, can, num, when, duration, useLoad, useInterval, ErrorNote, Dialog, Progress } from '../ui.js';

const ACTIVE = new Set(['pending', 'running']);

/** Done/total with an estimate of the time left from the rate so far. */
function estimate(task, now) {
  const { done, total } = task.progress || {};
  if (task.status !== 'running' || !task.startedAt || !done || !total || done >= total) return '';
  const spent = now - Date.parse(task.startedAt);
  return `about ${duration((spent / done) * (total - done))} left`;
}

export function Tasks({ projectKey: key, me }) {
  const tasks = useLoad(() => api(`${projectPath(key, 'tasks')}?size=50`).then((p) => p.items || p), [key]);
  const [open, setOpen] = useState(null);
  const [started, setStarted] = useState({ error: null, text: '' });
  const manager = can(me, key, 'manager');
  const list = tasks.data || [];
  const running = list.some((t) => ACTIVE.has(t.status));
  useInterval(tasks.reload, running ? 2000 : 15000);

  const start = async (type, label) => {
    setStarted({ error: null, text: `Starting ${label}…` });
    try {
      const t = await api(projectPath(key, 'tasks'), { method: 'POST', json: { type } });
      setStarted({ error: null, text: `${label}: task ${t.id} is ${t.status}.` });
      tasks.reload();
    } catch (error) {
      setStarted({ error, text: '' });
    }
  };
  const now = Date.now();
  return html`<h1 tabindex="-1">Tasks</h1>
    ${manager ? html`<div class="toolbar">
      <button type="button" class="primary" onClick=${() => start('full-sync', 'Full sync')}>Full sync</button>
      <button type="button" onClick=${() => start('retry-failed', 'Retry failed')}>Retry failed</button>
      <span role="status">${started.text}</span>
    </div>
    <p class="hint">Full sync compares the mappings with every MRN's resources, creates what is missing and reports
      what it did. Retry failed puts the failed resources back to pending.</p>` : null}
    <${ErrorNote} error=${started.error || tasks.error} />
    <section aria-labelledby="tasks-h">
      <h2 id="tasks-h">Newest first</h2>
      ${list.length ? html`<div class="scroll" key="list"><table class="list tasks">
        <thead><tr><th scope="col">Task</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Created</th>
          <th scope="col">Finished</th><th scope="col">Progress</th><th scope="col">Result</th></tr></thead>
        <tbody>${list.map((t) => html`<tr key=${t.id}>
          <th scope="row"><button type="button" class="link" onClick=${() => setOpen(t.id)}
            aria-label=${`Open task ${t.id} (${t.type})`}>#${t.id}</button></th>
          <td>${t.type}${t.trigger ? html`<br /><small>${t.trigger}</small>` : null}</td>
          <td><span class=${`ts ts-${t.status}`}>${t.status}</span></td>
          <td>${when(t.createdAt)}</td><td>${when(t.finishedAt)}</td>
          <td>${t.progress && t.progress.total ? html`<${Progress} done=${t.progress.done} total=${t.progress.total}
            label=${`Task ${t.id} progress`} extra=${estimate(t, now)} />` : '—'}</td>
          <td>${t.error ? html`<span class="bad">${t.error}</span>` : t.report ? reportLine(t.report) : ''}</td>
        </tr>`)}</tbody></table></div>`
    : tasks.data ? html`<p key="none">No task yet.</p>` : html`<p key="loading" role="status">Loading…</p>`}
      <p class="live" role="status" aria-live="polite">${running ? 'A task is running; this list refreshes every 2 s.' : ''}</p>
    </section>
    ${open != null ? html`<${TaskDialog} projectKey=${key} id=${open} onClose=${() => setOpen(null)} />` : null}`;
}

const reportLine = (r) => r.summary || Object.entries(r).filter(([, v]) => typeof v !== 'object')
  .map(([k, v]) => `${k} ${v}`).join(', ');

function TaskDialog({ projectKey: key, id, onClose }) {
  const task = useLoad(() => api(projectPath(key, 'tasks', id)), [key, id]);
  const t = task.data;
  useInterval(task.reload, t && ACTIVE.has(t.status) ? 2000 : null);
  return html`<${Dialog} title=${`Task #${id}${t ? ` · ${t.type}` : ''}`} wide onClose=${onClose}>
    <div class="dialog-body">
      <${ErrorNote} error=${task.error} />
      ${t ? html`<dl class="facts">
          <dt>Status</dt><dd>${t.status}</dd>
          <dt>Trigger</dt><dd>${t.trigger || '—'}</dd>
          <dt>Created</dt><dd>${when(t.createdAt)}</dd>
          <dt>Started</dt><dd>${when(t.startedAt) || '—'}</dd>
          <dt>Finished</dt><dd>${when(t.finishedAt) || '—'}</dd>
          <dt>Progress</dt><dd>${num(t.progress && t.progress.done)} / ${num(t.progress && t.progress.total)}</dd>
          ${t.error ? html`<dt>Error</dt><dd class="bad">${t.error}</dd>` : null}
        </dl>
        ${t.report ? html`<h3>Report</h3><${Report} report=${t.report} />` : null}
        <h3>Log</h3>
        ${t.log && t.log.length ? html`<ol class="log" tabindex="0" aria-label="Log lines">${t.log.map((l) => html`<li>
          <time datetime=${l.at}>${when(l.at)}</time> ${l.message}</li>`)}</ol>` : html`<p>No log line.</p>`}`
    : html`<p role="status">Loading…</p>`}
    </div>
  <//>`;
}

function Report({ report }) {
  const rows = Object.entries(report);
  return html`<table class="list report-table"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th>
    <td>${v && typeof v === 'object' ? html`<pre>${JSON.stringify(v, null, 2)}</pre>` : String(v)}</td></tr>`)}</tbody></table>`;
}
