// Settings → Versions: the library files a sync replaced, kept in the
// library's versions area, with Restore; and the note in a server's view
// on where that server's replaced files are kept.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, loadAccounts, accountName} from './api.js';
import {ago, bytes, dateTime, plural} from './format.js';
import {onJob} from './jobs.js';

/** keepTime says how long versions are kept: "30 days", "36 hours". */
function keepTime(seconds) {
  const days = seconds / 86400;
  if (Number.isInteger(days)) return plural(days, 'day');
  return plural(Math.round(seconds / 3600), 'hour');
}

/** versionsTab returns the Versions tab of Settings. */
export function versionsTab() {
  const list = h('div', {id: 'version-list'}, h('p', {class: 'muted'}, 'Loading versions…'));
  // What the last restore did, on the page (announce says it once).
  const status = h('p', {class: 'alert info', id: 'versions-status', hidden: true});
  const intro = h('p', {class: 'muted', id: 'versions-intro'},
    'When a sync replaces a file in the library, photosync first keeps the file it replaces in the library’s hidden folder .photosync/versions. ' +
    'Restore puts a version back: in its place when that is free, otherwise beside the current file as “name (restored date).ext”.');

  async function load() {
    let r;
    let accounts = [];
    try {
      r = await get('/versions');
      accounts = await loadAccounts().catch(() => []);
    } catch (err) {
      replace(list, h('p', {class: err.missingRoute ? 'alert info' : 'alert error', role: err.missingRoute ? null : 'alert'},
        err.missingRoute ? 'Versions are not available in this version of photosync yet.' : sentence(err.message)));
      return;
    }
    replace(intro, `When a sync replaces a file in the library, photosync first keeps the file it replaces in the library’s hidden folder .photosync/versions, for ${keepTime(r.keep_seconds)}. ` +
      'Restore puts a version back: in its place when that is free, otherwise beside the current file as “name (restored date).ext”.');
    replace(list, r.versions.length === 0
      ? h('div', {class: 'empty'}, h('p', {class: 'muted'}, 'No kept versions. Nothing a sync replaced is waiting here.'))
      : h('ul', {class: 'failed-list versions'}, r.versions.map((v) => item(v, accounts))));
  }

  function item(v, accounts) {
    const btn = h('button', {type: 'button', class: 'small', 'aria-label': `Restore ${v.path}`, onclick: () => restore(v, btn)}, icon('refresh'), 'Restore');
    const facts = [
      h('time', {datetime: v.kept_at, title: dateTime(v.kept_at)}, `Kept ${ago(v.kept_at)}`),
      bytes(v.size),
      v.account_id ? `by ${accountName(accounts, v.account_id)}` : null,
    ].filter(Boolean);
    return h('li', {class: 'failed-file version', 'data-version-id': v.id},
      h('span', {class: 'direction', 'aria-hidden': 'true'}, icon('image')),
      h('div', {class: 'failed-main'},
        h('span', {class: 'path'}, v.path),
        h('span', {class: 'muted'}, facts.flatMap((f, i) => (i ? [' · ', f] : [f]))),
        v.reason ? h('span', {class: 'version-reason'}, sentence(v.reason)) : null,
        h('span', {class: 'muted sha1', title: 'SHA-1 of the kept bytes'}, `Modified ${dateTime(v.mod_time)} · SHA-1 ${v.sha1.slice(0, 12)}…`)),
      btn);
  }

  async function restore(v, button) {
    try {
      const r = await busy(button, 'Restoring…', () => post(`/versions/${encodeURIComponent(v.id)}/restore`));
      const said = r.path === v.path ? `${v.path} is back in the library.` : `Restored beside the current file as ${r.path}.`;
      status.className = 'alert info';
      replace(status, icon('check'), h('span', null, said));
      announce(said);
    } catch (err) {
      status.className = 'alert error';
      replace(status, icon('alert'), h('span', null, sentence(err.message)));
      announce(sentence(err.message));
    }
    status.hidden = false;
    load();
  }

  load();
  const off = onJob((job, justEnded) => {
    if (justEnded && job.kind === 'sync') load();
  });
  return {
    title: 'Versions',
    el: h('div', {class: 'versions-tab'},
      h('div', {class: 'section-head'}, h('h2', null, 'Versions')),
      intro,
      status,
      h('section', {class: 'card', 'aria-label': 'Kept versions'}, list)),
    destroy: off,
  };
}

/**
 * versionsNote says, in a server's view, where the files a sync replaces
 * are kept: the library's in Settings → Versions, the server's by
 * Nextcloud's own versions or, on plain WebDAV, in .photosync-versions.
 */
export function versionsNote(account) {
  const folder = (account.sync_folder || '/').replace(/\/$/, '');
  const server = account.type === 'nextcloud'
    ? 'Files a sync replaces on this server are kept by Nextcloud’s own versions (in Nextcloud: a file’s details → Versions).'
    : `Before a sync replaces a file on this server, it moves the old copy to ${folder}/.photosync-versions/<date>/.`;
  return h('p', {class: 'alert info versions-note', id: 'versions-note'}, icon('info'),
    h('span', null, server, ' Library files a sync replaces are kept in ', h('a', {href: '/settings/versions'}, 'Settings → Versions'), '.'));
}
