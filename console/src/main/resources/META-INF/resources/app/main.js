// The console's shell: who is logged in (/console/me), the project picker, a hash router and the pages.
//   #/setup                      projects and FHIR systems (admins create them)
//   #/projects/{key}/setup       the project's FHIR system and mappings
//   #/projects/{key}/resources   summary, progress, MRN × mapping grid, downloads
//   #/projects/{key}/tasks       background tasks

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { html, roleIn, ErrorNote, useLoad, go, projectHref } from './ui.js';

// Each page is a module loaded when first shown: the Resources page does not wait for the Setup page's code.
const PAGES = { setup: ['Setup', 'setup', 'ProjectSetup'], resources: ['Resources', 'resources', 'Resources'],
  tasks: ['Tasks', 'tasks', 'Tasks'] };
const HOME = ['Projects', 'setup', 'SetupHome'];
const MODULES = { setup: () => import('./pages/setup.js'), resources: () => import('./pages/resources.js'),
  tasks: () => import('./pages/tasks.js') };
let shown = 0;

/** A page from its module; once there, focus moves to its h1 (after the first page: a navigation). */
function Lazy({ module, name, ...props }) {
  const [state, setState] = useState({});
  useEffect(() => {
    let live = true;
    MODULES[module]().then((m) => live && setState({ Page: m[name] }), (error) => live && setState({ error }));
    return () => { live = false; };
  }, [module, name]);
  useEffect(() => {
    if (!state.Page) return;
    const h1 = document.querySelector('main h1');
    if (shown++ && h1) h1.focus();
  }, [state.Page]);
  if (state.error) return html`<${ErrorNote} error=${state.error} />`;
  return state.Page ? html`<${state.Page} ...${props} />` : html`<p role="status">Loading…</p>`;
}

function parse(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'projects' && parts[1]) return { key: parts[1], page: PAGES[parts[2]] ? parts[2] : 'resources' };
  if (parts[0] === 'setup') return { page: 'home' };
  return { page: 'default' };
}

function useRoute() {
  const [route, setRoute] = useState(parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Header({ me, projects, route }) {
  const key = route.key;
  const pick = (e) => go(projectHref(e.target.value, route.page === 'home' || route.page === 'default'
    ? 'resources' : route.page));
  const known = projects.some((p) => p.key === key);
  return html`<header class="top">
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <div class="brand"><a href="#/setup">FHIR Snapshot</a></div>
    <nav aria-label="Main">
      <div class="picker">
        <label for="project-picker">Project</label>
        <select id="project-picker" onChange=${pick}>
          ${!known ? html`<option value="" disabled selected>Choose a project</option>` : null}
          ${projects.map((p) => html`<option value=${p.key} selected=${p.key === key}>${p.name ? `${p.name} (${p.key})` : p.key}</option>`)}
        </select>
      </div>
      ${known ? html`<ul class="tabs">
        ${Object.entries(PAGES).map(([page, [label]]) => html`<li>
          <a href=${projectHref(key, page)} aria-current=${route.page === page ? 'page' : null}>${label}</a></li>`)}
      </ul>` : null}
      <a class="home" href="#/setup" aria-current=${route.page === 'home' ? 'page' : null}>All projects</a>
    </nav>
    <div class="user">
      <span>${me.name}${me.admin ? ' (admin)' : key && roleIn(me, key) ? ` (${roleIn(me, key)})` : ''}</span>
      <a href="/logout">Log out</a>
    </div>
  </header>`;
}

function App() {
  const route = useRoute();
  const me = useLoad(() => api('/console/me'), []);
  const projects = useLoad(() => api('/api/projects?size=500').then((p) => p.items), []);

  const list = projects.data || Object.keys((me.data && me.data.projects) || {}).map((key) => ({ key }));
  useEffect(() => {
    if (route.page === 'default' && projects.data) {
      go(projects.data.length === 1 ? projectHref(projects.data[0].key, 'resources') : '#/setup');
    }
  }, [route.page, projects.data]);

  const [title, module, name] = route.key ? PAGES[route.page] : HOME;
  useEffect(() => { document.title = `${title}${route.key ? ` · ${route.key}` : ''} · FHIR Snapshot`; }, [title, route.key]);

  if (me.error) return html`<main id="main" tabindex="-1"><h1>FHIR Snapshot</h1><${ErrorNote} error=${me.error} /></main>`;
  if (!me.data) return html`<p class="boot" role="status">Loading…</p>`;
  const known = !route.key || list.some((p) => p.key === route.key);
  return html`<${Header} me=${me.data} projects=${list} route=${route} />
  <main id="main" tabindex="-1">
    ${projects.error ? html`<${ErrorNote} error=${projects.error} />` : null}
    ${!known && projects.data
    ? html`<h1 tabindex="-1">Project ${route.key}</h1><p>No such project, or you have no role in it. <a href="#/setup">All projects</a></p>`
    : html`<${Lazy} key=${`${route.page}|${route.key}`} module=${module} name=${name} projectKey=${route.key} me=${me.data}
        project=${list.find((p) => p.key === route.key)} projects=${list} reloadProjects=${projects.reload} />`}
  </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
