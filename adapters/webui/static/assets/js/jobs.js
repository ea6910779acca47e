// Live progress of indexes, uploads and syncs: the Activity panel. Job
// updates come from the server-sent events of /api/v1/events; a job whose
// events stop (a dropped connection, say) is asked for directly, so the
// panel always reaches each job's end.

import {h, replace, announce} from './dom.js';
import {icon} from './icons.js';
import {get, post, loadAccounts, accountName} from './api.js';
import {bytes, plural} from './format.js';

const ENDED = new Set(['done', 'partial', 'failed', 'cancelled']);
const STATE_LABEL = {queued: 'Waiting', running: 'Running', done: 'Done', partial: 'Finished with errors', failed: 'Failed', cancelled: 'Cancelled'};
const STALE_MS = 4000;

/** ended reports whether a job has finished, one way or another. */
export const ended = (job) => ENDED.has(job.state);

const tracked = new Map(); // job ID -> {job, mine, el, seen}
const listeners = new Set();
let tray = null;
let list = null;
let source = null;
let watchdog = 0;
let names = [];
let counts = null;
let toggle = null;
let collapsed = false;

// collapse folds the Activity panel to its head line, or unfolds it.
function collapse(on) {
  collapsed = on;
  tray.classList.toggle('collapsed', on);
  list.hidden = on;
  toggle.setAttribute('aria-expanded', String(!on));
  toggle.setAttribute('aria-label', on ? 'Show activity' : 'Hide activity');
}

// showCounts sums up the jobs in the panel's head line.
function showCounts() {
  let running = 0;
  let finished = 0;
  for (const e of tracked.values()) {
    if (ended(e.job)) finished++;
    else running++;
  }
  counts.textContent = [running && `${running} running`, finished && `${finished} finished`].filter(Boolean).join(' · ');
  tray.hidden = tracked.size === 0;
}

/** startJobs shows the Activity panel in container and follows the events. */
export function startJobs(container) {
  stopJobs();
  list = h('div', {class: 'activity-list', id: 'activity-list'});
  counts = h('span', {class: 'activity-counts'});
  toggle = h('button', {type: 'button', class: 'icon-button activity-toggle', 'aria-controls': 'activity-list', onclick: () => collapse(!collapsed)}, icon('chevronDown'));
  tray = h('section', {class: 'activity', 'aria-labelledby': 'activity-title', hidden: true},
    h('div', {class: 'activity-head'}, h('h2', {id: 'activity-title'}, 'Activity'), counts,
      h('button', {type: 'button', class: 'link', onclick: clearFinished}, 'Clear finished'), toggle),
    list);
  collapse(false);
  container.append(tray);
  loadAccounts().then((a) => {
    names = a;
  }).catch(() => {});
  connect();
  watchdog = setInterval(refreshStale, STALE_MS);
}

/** stopJobs closes the event stream and forgets the jobs (sign-out). */
export function stopJobs() {
  if (source) source.close();
  source = null;
  clearInterval(watchdog);
  tracked.clear();
  tray?.remove();
  tray = null;
}

/**
 * onJob calls fn(job, justEnded) on every update of any job; it returns a
 * function that stops the calls. Pages use it to refresh when a job ends.
 */
export function onJob(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** trackJob shows a job this page started (the API's 202 answer). */
export function trackJob(job) {
  if (tray && collapsed) collapse(false);
  update(job, true);
  loadAccounts().then((a) => {
    names = a;
    render(tracked.get(job.id));
  }).catch(() => {});
}

function connect() {
  source = new EventSource('/api/v1/events');
  source.addEventListener('job', (e) => update(JSON.parse(e.data), false));
  source.addEventListener('open', refreshAll);
  source.addEventListener('error', () => {
    // The browser reconnects by itself unless the server refused the
    // stream (a session that ended): then ask once, which signs out on
    // 401, or try again later.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      get('/jobs?limit=1').then(() => setTimeout(() => {
        if (tray && !source) connect();
      }, 3000)).catch(() => {});
    }
  });
}

function update(job, mine) {
  const prev = tracked.get(job.id);
  if (prev && mine) prev.mine = true; // its events may have come first
  if (prev && ended(prev.job) && !ended(job)) return; // a late, older update
  if (prev && prev.job.state === 'running' && job.state === 'queued') return;
  const justEnded = ended(job) && (!prev || !ended(prev.job));
  if (!prev && !mine && ended(job)) {
    notify(job, justEnded);
    return; // a job we never saw run
  }
  const entry = prev || {mine, el: null};
  entry.mine = entry.mine || mine;
  entry.job = job;
  entry.seen = Date.now();
  tracked.set(job.id, entry);
  render(entry);
  if (justEnded) {
    announce(`${title(job)}: ${STATE_LABEL[job.state].toLowerCase()}. ${summary(job)}`, {visual: false});
    // A job started elsewhere (the scheduler, another tab) goes away by
    // itself unless it has failures to show; one started here stays until
    // it is dismissed.
    const quiet = (job.kind === 'index' || job.failed === 0) && job.state !== 'failed';
    if (quiet) {
      setTimeout(() => {
        if (tracked.get(job.id) === entry && !entry.mine) remove(job.id);
      }, 6000);
    }
  }
  notify(job, justEnded);
}

function notify(job, justEnded) {
  for (const fn of listeners) {
    try {
      fn(job, justEnded);
    } catch (err) {
      console.error(err);
    }
  }
}

function refreshAll() {
  for (const e of tracked.values()) if (!ended(e.job)) refresh(e.job.id);
}

function refreshStale() {
  const now = Date.now();
  for (const e of tracked.values()) {
    if (!ended(e.job) && now - e.seen >= STALE_MS) refresh(e.job.id);
  }
}

function refresh(id) {
  get(`/jobs/${id}`).then((job) => update(job, false)).catch(() => {});
}

function remove(id) {
  const e = tracked.get(id);
  if (!e) return;
  tracked.delete(id);
  e.el?.remove();
  if (tray) showCounts();
}

function clearFinished() {
  for (const e of [...tracked.values()]) if (ended(e.job)) remove(e.job.id);
}

function title(job) {
  const server = job.account_id ? accountName(names, job.account_id) : '';
  const done = ended(job);
  switch (job.kind) {
    case 'index': return done ? 'Library indexed' : 'Indexing the library';
    case 'upload': return done ? `Upload to ${server}` : `Uploading to ${server}`;
    case 'sync': return done ? `Sync with ${server}` : `Syncing with ${server}`;
    default: return `${job.kind[0].toUpperCase()}${job.kind.slice(1)} ${server}`;
  }
}

/** summary is a job's counts in words. */
export function summary(job) {
  const failed = `${job.failed} failed`;
  switch (job.kind) {
    // An index reads only new and changed files: its failed files are the
    // problems it found; those it knew already are in Settings → Library.
    case 'index': return job.failed
      ? `${plural(job.files_done, 'file')} indexed, ${plural(job.failed, 'new problem')}.`
      : `${plural(job.files_done, 'file')} indexed.`;
    case 'sync': return `${job.downloaded} downloaded, ${job.uploaded} uploaded, ${job.skipped} skipped, ${failed}.`;
    default: return `${job.uploaded} uploaded, ${job.skipped} skipped, ${failed}.`;
  }
}

function render(entry) {
  if (!entry || !tray) return;
  const job = entry.job;
  const done = ended(job);
  if (!entry.el) entry.el = build(entry);
  const {el, heading, state, close, bar, nums, extra} = entry.el.parts;
  el.dataset.state = job.state;
  heading.textContent = title(job);
  state.className = `state state-${job.state}`;
  state.textContent = STATE_LABEL[job.state] || job.state;
  close.setAttribute('aria-label', done ? 'Dismiss' : `Cancel ${title(job).toLowerCase()}`);
  const byBytes = job.bytes_total > 0;
  if (done) {
    bar.max = 1;
    bar.value = 1;
  } else if (byBytes || job.files_total > 0) {
    bar.max = byBytes ? job.bytes_total : job.files_total;
    bar.value = byBytes ? job.bytes_done : job.files_done;
  }
  replace(nums,
    state, ' · ',
    h('span', {class: 'job-files'}, `${job.files_done.toLocaleString()} of ${plural(job.files_total, 'file')}`),
    byBytes ? [' · ', h('span', {class: 'job-bytes'}, `${bytes(job.bytes_done)} of ${bytes(job.bytes_total)}`)] : null,
    // A sync sends while its index of the library still reads.
    !done && indexing(job)
      ? [' · ', h('span', {class: 'job-indexing'},
        `indexed ${job.index_files_done.toLocaleString()} of ${plural(job.index_files_total, 'file')}` +
        (job.index_bytes_total > 0 ? ` (${bytes(job.index_bytes_done)} of ${bytes(job.index_bytes_total)})` : ''))] : null,
    // Every byte is with the server, which has not confirmed them all.
    !done && job.bytes_sent > 0 && job.bytes_done + job.bytes_sent >= job.bytes_total
      ? [' · ', h('span', {class: 'job-verifying'}, 'verifying…')] : null);
  replace(extra,
    done ? h('p', {class: 'job-summary'}, summary(job)) : null,
    job.error ? h('p', {class: 'alert error job-error'}, job.error) : null,
    shareLink(job),
    failures(job));
  showCounts();
}

// indexing reports whether a sync's index of the library is under way.
function indexing(job) {
  return job.index_files_total > 0 &&
    (job.index_files_done < job.index_files_total || job.index_bytes_done < job.index_bytes_total);
}

// build makes the card of a job once; render updates it in place, so the
// focus stays on its button while progress comes in.
function build(entry) {
  const id = entry.job.id;
  const titleId = `job-${id}-title`;
  const heading = h('h3', {id: titleId});
  const state = h('span', {class: 'state'});
  const close = h('button', {type: 'button', class: 'icon-button', onclick: () => {
    if (ended(entry.job)) remove(id);
    else post(`/jobs/${id}/cancel`).catch((err) => announce(err.message));
  }}, icon('close'));
  const kindIcon = {index: 'image', upload: 'cloudUpload', sync: 'sync'}[entry.job.kind] || 'info';
  const bar = h('progress', {class: 'job-bar', 'aria-labelledby': titleId});
  const nums = h('p', {class: 'job-nums'});
  const extra = h('div', {class: 'job-extra'});
  const el = h('article', {class: 'job', 'data-job-id': id, 'data-kind': entry.job.kind, 'aria-labelledby': titleId},
    h('div', {class: 'job-head'}, icon(kindIcon), heading, close), bar, nums, extra);
  el.parts = {el, heading, state, close, bar, nums, extra};
  list.prepend(el);
  return el;
}

// shareLink shows the public link an upload made, with a Copy button, or
// why it could not be made.
function shareLink(job) {
  if (job.link_error) return h('p', {class: 'alert error job-link-error'}, `No public link: ${job.link_error}`);
  if (!job.link) return null;
  const copy = h('button', {type: 'button', class: 'link', onclick: async () => {
    try {
      await navigator.clipboard.writeText(job.link);
      announce('Link copied.');
    } catch {
      announce('Copying is not allowed here; select the link instead.');
    }
  }}, 'Copy');
  return h('p', {class: 'job-link'}, 'Public link: ',
    h('a', {href: job.link, target: '_blank', rel: 'noopener noreferrer', class: 'path'}, job.link), ' ', copy);
}

function failures(job) {
  if (!job.errors || job.errors.length === 0) return null;
  // A file skipped for a reason a person must act on (a name no server
  // takes) is listed too, its message starting "skipped: ", not failed.
  const skipped = job.errors.filter((e) => e.message.startsWith('skipped: ')).length;
  const more = job.failed - (job.errors.length - skipped);
  const said = [job.failed > 0 ? `${plural(job.failed, 'file')} failed` : '',
    skipped > 0 ? `${plural(skipped, 'file')} skipped` : ''].filter(Boolean).join(', ');
  return h('details', {class: 'job-failures', open: ended(job)},
    h('summary', null, said),
    h('ul', null, job.errors.map((e) => h('li', null,
      h('span', {class: 'path'}, e.path), h('span', {class: 'cause'}, e.message)))),
    more > 0 ? h('p', {class: 'hint'}, `and ${more} more`) : null);
}
