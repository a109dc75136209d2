// One EventSource per project, shared by every component of the page (browsers allow 6 connections per origin).
// Events: unnamed ones carry {instanceId, mappingId, status, at, protected, errorClass?}; one named "problem" ends
// the stream (unknown project, config-service unavailable). A dropped stream is reopened with backoff, and the
// listeners are told (kind 'open' with reconnected: true) so they reload what they may have missed.

import { api } from './api.js';

const hubs = new Map();

function hub(key) {
  let h = hubs.get(key);
  if (h) return h;
  h = { key, listeners: new Set(), source: null, timer: null, delay: 1000, opened: false, state: 'connecting' };
  hubs.set(key, h);
  connect(h);
  return h;
}

function emit(h, kind, data) {
  for (const l of h.listeners) {
    try { l(kind, data); } catch (e) { console.error(e); }
  }
}

function setState(h, state) {
  h.state = state;
  emit(h, 'state', state);
}

function connect(h) {
  const source = new EventSource(`/api/projects/${encodeURIComponent(h.key)}/events`);
  h.source = source;
  source.onopen = () => {
    h.delay = 1000;
    setState(h, 'live');
    emit(h, 'open', { reconnected: h.opened });
    h.opened = true;
  };
  source.onmessage = (e) => {
    let data;
    try { data = JSON.parse(e.data); } catch { return; }
    emit(h, 'instance', data);
  };
  source.addEventListener('problem', (e) => {
    let data = {};
    try { data = JSON.parse(e.data); } catch { /* keep {} */ }
    emit(h, 'problem', data);
    h.delay = Math.max(h.delay, 30000);
    retry(h);
  });
  source.onerror = () => {
    // CONNECTING: the browser retries on its own (the server ended the stream); CLOSED: it gave up (HTTP error).
    if (source.readyState === EventSource.CLOSED) retry(h);
    else setState(h, 'reconnecting');
  };
}

function retry(h) {
  if (h.source) h.source.close();
  h.source = null;
  setState(h, 'reconnecting');
  clearTimeout(h.timer);
  h.timer = setTimeout(() => {
    if (!h.listeners.size) return;
    // An expired session answers this call with 499, and api() reloads the page to log in again.
    api('/console/me').catch(() => {}).finally(() => { if (h.listeners.size && !h.source) connect(h); });
  }, h.delay);
  h.delay = Math.min(h.delay * 2, 60000);
}

/** Listens to a project's events: listener(kind, data), kind ∈ instance | problem | open | state. */
export function subscribe(key, listener) {
  const h = hub(key);
  h.listeners.add(listener);
  listener('state', h.state);
  return () => {
    h.listeners.delete(listener);
    if (!h.listeners.size) {
      clearTimeout(h.timer);
      if (h.source) h.source.close();
      hubs.delete(key);
    }
  };
}
