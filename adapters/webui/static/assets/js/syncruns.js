// A server's recent sync runs and its failed files, with Retry. Both ask
// the sync API; on a photosync without it they say so instead.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post} from './api.js';
import {bytes, dateTime, duration, plural} from './format.js';

function unavailable(err, what) {
  return h('p', {class: err.missingRoute ? 'alert info' : 'alert error', role: err.missingRoute ? null : 'alert'},
    err.missingRoute ? `${what} are not available in this version of photosync yet.` : sentence(err.message));
}

function section(id, title, ...extra) {
  const body = h('div', {class: 'section-body'}, h('p', {class: 'muted'}, 'Loading…'));
  const el = h('section', {class: 'card', id, 'aria-labelledby': `${id}-title`},
    h('div', {class: 'section-head'}, h('h3', {id: `${id}-title`}, title), ...extra), body);
  return {el, body};
}

/** runsSection lists the recent sync runs of account id. */
export function runsSection(id) {
  const s = section('sync-runs', 'Recent runs');
  async function refresh() {
    try {
      const r = await get(`/accounts/${id}/runs`);
      replace(s.body, r.runs.length === 0 ? h('p', {class: 'muted empty-runs'}, 'No sync has run yet.') : runsTable(r.runs));
    } catch (err) {
      replace(s.body, unavailable(err, 'Sync runs'));
    }
  }
  return {el: s.el, refresh};
}

function runsTable(runs) {
  const rows = [];
  for (const r of runs) {
    const running = !r.finished_at;
    let result;
    if (r.error) result = h('span', {class: 'status status-error'}, 'Stopped');
    else if (running) result = h('span', {class: 'status status-running'}, 'Running');
    else if (r.failed) result = h('span', {class: 'status status-partial'}, `${r.failed} failed`);
    else if (r.complete === false) result = h('span', {class: 'status status-partial'}, 'Incomplete');
    else result = h('span', {class: 'status status-ok'}, 'OK');
    rows.push(h('tr', {class: 'run', 'data-run-id': r.id},
      h('td', {'data-label': 'Started'}, h('time', {datetime: r.started_at}, dateTime(r.started_at))),
      h('td', {'data-label': 'Took'}, running ? '…' : duration(r.started_at, r.finished_at)),
      h('td', {'data-label': 'Downloaded'}, `${r.downloaded} · ${bytes(r.bytes_down)}`),
      h('td', {'data-label': 'Uploaded'}, `${r.uploaded} · ${bytes(r.bytes_up)}`),
      h('td', {'data-label': 'Skipped'}, String(r.skipped)),
      h('td', {'data-label': 'Result'}, result)));
    const errors = r.errors || [];
    if (r.error || errors.length) {
      rows.push(h('tr', {class: 'run-errors'}, h('td', {colspan: '6'},
        r.error ? h('p', {class: 'alert error'}, sentence(r.error)) : null,
        errors.length ? h('details', null, h('summary', null, plural(errors.length, 'error')),
          h('ul', {class: 'failures'}, errors.map((e) => h('li', null, h('span', {class: 'path'}, e.path), h('span', {class: 'cause'}, sentence(e.message)))))) : null)));
    }
  }
  return h('div', {class: 'table-wrap'}, h('table', {class: 'table runs', id: 'runs-table'},
    h('caption', {class: 'sr-only'}, 'Recent sync runs, newest first'),
    h('thead', null, h('tr', null, ['Started', 'Took', 'Downloaded', 'Uploaded', 'Skipped', 'Result'].map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', null, rows)));
}

/** failedSection lists the files of account id whose sync failed. */
export function failedSection(id) {
  const retryAll = h('button', {type: 'button', id: 'retry-all', hidden: true, onclick: () => retry([], retryAll)}, icon('refresh'), 'Retry all');
  const s = section('failed-files', 'Failed files', retryAll);

  async function refresh() {
    try {
      // Every file in trouble: those waiting for their next attempt too.
      const r = await get(`/accounts/${id}/files?state=all`);
      retryAll.hidden = r.files.length === 0;
      replace(s.body, r.files.length === 0
        ? h('p', {class: 'muted'}, 'No failed files.')
        : h('ul', {class: 'failed-list'}, r.files.map(fileItem)));
    } catch (err) {
      retryAll.hidden = true;
      replace(s.body, unavailable(err, 'Failed files'));
    }
  }

  function fileItem(f) {
    const up = f.direction === 'up';
    const path = up ? f.local_path : f.remote_path || f.local_path;
    const other = up ? f.remote_path : f.local_path;
    const btn = h('button', {type: 'button', class: 'small', 'aria-label': `Retry ${path}`, onclick: () => retry([path], btn)}, 'Retry');
    return h('li', {class: 'failed-file'},
      h('span', {class: 'direction', title: up ? 'Upload' : 'Download'}, icon(up ? 'arrowUp' : 'arrowDown'), h('span', {class: 'sr-only'}, up ? 'Upload' : 'Download')),
      h('div', {class: 'failed-main'},
        h('span', {class: 'path'}, path),
        other ? h('span', {class: 'muted path'}, `to ${other}`) : null,
        h('span', {class: 'cause'}, sentence(f.last_error)),
        h('span', {class: 'muted'}, `${plural(f.attempts, 'attempt')} · ${f.failed ? 'gave up; retry by hand' : 'tried again at the next sync'}`)),
      btn);
  }

  // retry asks for paths (all failed files when empty) to be tried again.
  async function retry(paths, button) {
    try {
      const r = await busy(button, 'Retrying…', () => post(`/accounts/${id}/files/retry`, paths.length ? {paths} : {}));
      const n = r && typeof r.retried === 'number' ? r.retried : paths.length;
      announce(`${plural(n, 'file')} will be tried again at the next sync.`);
      refresh();
    } catch (err) {
      announce(err.missingRoute ? 'Retry is not available in this version of photosync yet.' : sentence(err.message));
    }
  }
  return {el: s.el, refresh};
}

/**
 * deletedSection lists the synced files of account id deleted on one
 * side, which a sync does not copy back, with Restore.
 */
export function deletedSection(id) {
  const s = section('deleted-files', 'Deleted files');
  async function refresh() {
    try {
      const r = await get(`/accounts/${id}/files?state=deleted`);
      replace(s.body, r.files.length === 0
        ? h('p', {class: 'muted'}, 'No deleted files. A file deleted on one side is listed here and not copied back until you restore it.')
        : [h('p', {class: 'muted', id: 'restore-hint'}, 'Restore copies a file back to the side it was deleted from at the next sync.'),
          h('ul', {class: 'failed-list'}, r.files.map(item))]);
    } catch (err) {
      replace(s.body, unavailable(err, 'Deleted files'));
    }
  }

  function item(f) {
    const inLibrary = f.deleted_in === 'library';
    const path = inLibrary ? f.local_path : f.remote_path;
    const btn = h('button', {type: 'button', class: 'small', 'aria-label': `Restore ${path}`, 'aria-describedby': 'restore-hint',
      title: 'Comes back at the next sync', onclick: () => restore(path, btn)}, 'Restore');
    return h('li', {class: 'failed-file'},
      h('span', {class: 'direction', 'aria-hidden': 'true'}, icon('trash')),
      h('div', {class: 'failed-main'},
        h('span', {class: 'path'}, path),
        h('span', {class: 'muted'}, inLibrary ? 'Deleted in the library; still on the server.' : 'Deleted on the server; still in the library.')),
      btn);
  }

  async function restore(path, button) {
    try {
      await busy(button, 'Restoring…', () => post(`/accounts/${id}/files/restore`, {paths: [path]}));
      announce(`${path} comes back at the next sync.`);
      refresh();
    } catch (err) {
      announce(err.missingRoute ? 'Restore is not available in this version of photosync yet.' : sentence(err.message));
    }
  }
  return {el: s.el, refresh};
}
