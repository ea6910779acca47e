// The Settings page: the Backup tab (the servers, one server's settings)
// and the Library tab (indexing).

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, loadAccounts, displayName} from './api.js';
import {navigate} from './router.js';
import {ago, dateTime, interval, sizeName, plural, STATUS} from './format.js';
import {onJob, trackJob, summary} from './jobs.js';
import {serverDialog} from './serverdialog.js';
import {serverView} from './server.js';
import {versionsTab} from './versions.js';
import {notificationsTab} from './notifications.js';

const TABS = [['backup', 'Backup', '/settings/backup'], ['library', 'Library', '/settings/library'], ['versions', 'Versions', '/settings/versions'], ['notifications', 'Notifications', '/settings/notifications']];

/** settingsPage returns Settings with tab open (and one server's view). */
export function settingsPage({tab, account}) {
  let sub;
  if (tab === 'library') sub = libraryTab();
  else if (tab === 'versions') sub = versionsTab();
  else if (tab === 'notifications') sub = notificationsTab();
  else sub = account ? serverView(account) : backupTab();
  const tablist = h('div', {class: 'tabs', role: 'tablist', 'aria-label': 'Settings', onkeydown: tabKeys},
    TABS.map(([id, label, href]) => h('a', {
      href, role: 'tab', id: `tab-${id}`, class: 'tab', 'aria-selected': String(id === tab),
      'aria-controls': 'settings-panel', tabindex: id === tab ? '0' : '-1',
    }, label)));
  const panel = h('section', {class: 'tabpanel', id: 'settings-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}`}, sub.el);
  return {
    title: sub.title || 'Settings',
    el: h('div', {class: 'page settings-page'}, h('h1', null, 'Settings'), tablist, panel),
    destroy: () => sub.destroy && sub.destroy(),
  };
}

// tabKeys moves between the tabs with the arrow keys, Home and End.
function tabKeys(e) {
  const tabs = [...e.currentTarget.querySelectorAll('[role="tab"]')];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const j = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[e.key];
  if (j === undefined) return;
  e.preventDefault();
  const next = tabs[(j + tabs.length) % tabs.length];
  navigate(next.getAttribute('href'));
  document.getElementById(next.id)?.focus();
}

function backupTab() {
  const list = h('div', {class: 'server-list', id: 'server-list'}, h('p', {class: 'muted'}, 'Loading servers…'));
  const addBtn = h('button', {type: 'button', class: 'primary', id: 'add-server', onclick: add}, icon('plus'), 'Add server');

  async function load(fresh) {
    try {
      const accounts = await loadAccounts(fresh);
      replace(list, accounts.length
        ? h('ul', {class: 'servers'}, accounts.map(serverCard))
        : h('div', {class: 'empty card'}, icon('server'),
          h('p', null, 'No server yet. Add a Nextcloud or WebDAV server to back up your photos to it.')));
    } catch (err) {
      replace(list, h('p', {class: 'alert error', role: 'alert'}, sentence(err.message)));
    }
  }

  async function add() {
    const a = await serverDialog();
    if (!a) return;
    await loadAccounts(true).catch(() => {});
    navigate(`/settings/backup/${a.id}`);
    announce(`${displayName(a)} connected.`);
  }

  load(true);
  const off = onJob((job, justEnded) => {
    if (justEnded && job.kind === 'sync') load(true);
  });
  return {
    title: 'Backup',
    el: h('div', {class: 'backup-tab'},
      h('div', {class: 'section-head'}, h('h2', null, 'Servers'), addBtn),
      h('p', {class: 'muted'}, 'Photos are uploaded to and synced with these servers.'),
      list),
    destroy: off,
  };
}

function serverCard(a) {
  const upload = a.upload_enabled ? `On · ${a.upload_folder} · ${sizeName(a.upload_size)}` : 'Off';
  const sync = a.sync_enabled ? `On · ${a.sync_folder} · ${a.sync_interval ? interval(a.sync_interval) : 'by hand only'}` : 'Off';
  const fact = (term, value, cls = '') => h('div', {class: cls}, h('dt', null, term), h('dd', null, value));
  return h('li', {class: 'card server-card', 'data-account-id': a.id},
    h('div', {class: 'server-card-head'},
      icon('server'),
      h('h3', null, h('a', {href: `/settings/backup/${a.id}`, class: 'block-link'}, displayName(a))),
      h('span', {class: 'badge'}, a.type === 'nextcloud' ? 'Nextcloud' : 'WebDAV'),
      h('span', {class: `status status-${a.status}`}, STATUS[a.status] || a.status)),
    h('p', {class: 'muted url'}, a.url),
    h('dl', {class: 'facts'},
      fact('User', a.username || '—'),
      fact('Upload', upload, 'fact-upload'),
      fact('Sync', sync, 'fact-sync'),
      fact('Last sync', a.last_sync_at ? h('time', {datetime: a.last_sync_at, title: dateTime(a.last_sync_at)}, ago(a.last_sync_at)) : 'Never')),
    a.last_error ? h('p', {class: 'alert error last-error'}, icon('alert'), h('span', null, sentence(a.last_error))) : null);
}

function libraryTab() {
  const last = h('div', {class: 'last-index'}, h('p', {class: 'muted'}, 'Loading…'));
  const rescan = h('button', {type: 'button', class: 'primary', id: 'rescan-library', onclick: start}, icon('refresh'), 'Rescan library');

  async function load() {
    try {
      // The problems are the index's, not the last job's: a rescan reads
      // only new and changed files, so it finds none of those it knew.
      const [r, p] = await Promise.all([get('/jobs?kind=index&limit=1'), get('/library/problems')]);
      const job = r.jobs[0];
      if (!job) {
        replace(last, h('p', {class: 'muted'}, 'The library has not been indexed yet.'));
        return;
      }
      replace(last,
        h('dl', {class: 'facts'},
          h('div', null, h('dt', null, 'Last index'), h('dd', null, job.finished_at ? dateTime(job.finished_at) : 'Running now')),
          h('div', null, h('dt', null, 'Result'), h('dd', null, summary(job))),
          h('div', null, h('dt', null, 'Problems'), h('dd', {id: 'library-problem-count'},
            p.files.length ? `${plural(p.files.length, 'file')} with problems` : 'None'))),
        p.files.length ? h('div', {class: 'problems', id: 'library-problems'},
          h('h3', null, `${plural(p.files.length, 'file')} with problems`),
          h('ul', {class: 'failures'}, p.files.map((f) => h('li', null, h('span', {class: 'path'}, f.path), h('span', {class: 'cause'}, sentence(f.problem)))))) : null);
    } catch (err) {
      replace(last, h('p', {class: 'alert error', role: 'alert'}, sentence(err.message)));
    }
  }

  async function start() {
    try {
      trackJob(await busy(rescan, 'Starting…', () => post('/library/index')));
    } catch (err) {
      announce(err.code === 'ECONFLICT' ? 'The library is being indexed already.' : err.message);
    }
  }

  load();
  const off = onJob((job, justEnded) => {
    if (job.kind === 'index' && justEnded) load();
  });
  return {
    title: 'Library',
    el: h('div', {class: 'library-tab'},
      h('div', {class: 'section-head'}, h('h2', null, 'Library'), rescan),
      h('p', {class: 'muted'}, 'photosync indexes the library folder when it starts and every few minutes after; a rescan finds new photos at once.'),
      h('section', {class: 'card'}, last)),
    destroy: off,
  };
}
