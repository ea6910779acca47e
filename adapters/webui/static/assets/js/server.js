// One server in Settings → Backup: its connection, the Upload area, the
// Sync area, the recent runs and the failed files.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, del, loadAccounts, displayName} from './api.js';
import {navigate} from './router.js';
import {ago, dateTime, STATUS} from './format.js';
import {confirmDialog} from './dialog.js';
import {onJob} from './jobs.js';
import {serverDialog} from './serverdialog.js';
import {uploadArea, syncArea} from './serverforms.js';
import {runsSection, failedSection, deletedSection} from './syncruns.js';
import {versionsNote} from './versions.js';

/** serverView returns the view of account id. */
export function serverView(id) {
  const el = h('div', {class: 'server-view'}, h('p', {class: 'muted'}, 'Loading…'));
  const head = h('div', {class: 'server-head'});
  let account = null;
  let runs = null;
  let failed = null;
  let deleted = null;
  let off = () => {};

  async function load() {
    try {
      account = await get(`/accounts/${id}`);
    } catch (err) {
      replace(el, crumbs(null), h('p', {class: 'alert error', role: 'alert'},
        err.status === 404 ? 'This server does not exist (any more).' : sentence(err.message)));
      return;
    }
    runs = runsSection(id);
    failed = failedSection(id);
    deleted = deletedSection(id);
    renderHead();
    replace(el, crumbs(account), head,
      h('div', {class: 'areas'}, uploadArea(account, saved), syncArea(account, saved)),
      versionsNote(account), runs.el, failed.el, deleted.el);
    runs.refresh();
    failed.refresh();
    deleted.refresh();
    off = onJob((job, justEnded) => {
      if (job.account_id !== id || !justEnded) return;
      if (job.kind === 'sync') {
        runs.refresh();
        failed.refresh();
        deleted.refresh();
      }
      reloadAccount();
    });
  }

  // saved takes the account as a save answered it.
  function saved(a) {
    account = a;
    renderHead();
    loadAccounts(true).catch(() => {});
  }

  async function reloadAccount() {
    try {
      saved(await get(`/accounts/${id}`));
    } catch {
      // Shown at the next load.
    }
  }

  function renderHead() {
    const a = account;
    const testBtn = h('button', {type: 'button', id: 'test-server', onclick: () => test(testBtn)}, icon('refresh'), 'Test connection');
    replace(head,
      h('div', {class: 'server-title'},
        h('h2', {id: 'server-title'}, icon('server'), displayName(a)),
        h('p', {class: 'muted'}, h('span', {class: 'badge'}, a.type === 'nextcloud' ? 'Nextcloud' : 'WebDAV'), ' ',
          a.url, a.username ? ` · ${a.username}` : ''),
        h('p', {class: 'server-state'},
          h('span', {class: `status status-${a.status}`}, STATUS[a.status] || a.status), ' ',
          a.last_sync_at ? h('span', {class: 'muted'}, 'Last sync ', h('time', {datetime: a.last_sync_at, title: dateTime(a.last_sync_at)}, ago(a.last_sync_at)))
            : h('span', {class: 'muted'}, 'Never synced')),
        a.last_error ? h('p', {class: 'alert error last-error'}, icon('alert'), h('span', null, sentence(a.last_error))) : null),
      h('div', {class: 'server-actions'},
        testBtn,
        h('button', {type: 'button', id: 'edit-server', onclick: edit}, icon('edit'), 'Edit'),
        h('button', {type: 'button', class: 'danger-ghost', id: 'remove-server', onclick: remove}, icon('trash'), 'Remove')));
  }

  async function test(button) {
    try {
      saved(await busy(button, 'Testing…', () => post(`/accounts/${id}/test`)));
      announce('The connection works.');
    } catch (err) {
      announce(sentence(err.message));
      reloadAccount();
    }
  }

  async function edit() {
    const a = await serverDialog(account);
    if (a) {
      saved(a);
      announce('Server saved.');
    }
  }

  async function remove() {
    const ok = await confirmDialog({
      title: `Remove ${displayName(account)}?`,
      message: 'photosync forgets this server, its settings and its sync history. Nothing is deleted on the server or in the library.',
      confirm: 'Remove server',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/accounts/${id}`);
      await loadAccounts(true).catch(() => {});
      navigate('/settings/backup');
      announce(`${displayName(account)} removed.`);
    } catch (err) {
      announce(sentence(err.message));
    }
  }

  load();
  return {title: 'Server', el, destroy: () => off()};
}

function crumbs(account) {
  return h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'},
    h('a', {href: '/settings/backup'}, 'Servers'),
    account ? [h('span', {class: 'sep', 'aria-hidden': 'true'}, '/'), h('span', {'aria-current': 'page'}, displayName(account))] : null);
}
