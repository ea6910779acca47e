// Settings → Notifications: where alerts go (docs/backup.md). A target's
// URL may hold a token or a password: photosync shows it back as its
// scheme and host only.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, del} from './api.js';

/** notificationsTab returns the Notifications tab of Settings. */
export function notificationsTab() {
  const list = h('div', {id: 'notify-list'}, h('p', {class: 'muted'}, 'Loading…'));
  const status = h('p', {class: 'alert info', id: 'notify-status', role: 'status', hidden: true});
  const input = h('input', {id: 'notify-url', type: 'url', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'https://example.com/hook or ntfy://ntfy.sh/my-topic'});
  const addBtn = h('button', {type: 'submit', class: 'primary', id: 'notify-add'}, icon('plus'), 'Add');
  const testBtn = h('button', {type: 'button', id: 'notify-test', onclick: test}, 'Send a test');

  function say(message, ok) {
    status.className = ok ? 'alert info' : 'alert error';
    status.textContent = sentence(message);
    status.hidden = false;
    announce(sentence(message), {visual: false});
  }

  async function load() {
    try {
      const r = await get('/settings/notifications');
      replace(list, r.targets.length === 0
        ? h('p', {class: 'muted'}, 'No target yet: alerts go nowhere.')
        : h('ul', {class: 'notify-targets'}, r.targets.map((t) => h('li', {class: 'notify-target'},
          h('code', null, t.target),
          t.from_env ? h('span', {class: 'muted'}, ' (from PHOTOSYNC_NOTIFY_URL)')
            : h('button', {type: 'button', class: 'small danger-ghost', 'aria-label': `Remove ${t.target}`, onclick: () => remove(t.id)}, 'Remove')))));
    } catch (err) {
      replace(list, h('p', {class: 'alert error', role: 'alert'}, sentence(err.message)));
    }
  }

  async function add(e) {
    e.preventDefault();
    try {
      await busy(addBtn, 'Adding…', () => post('/settings/notifications', {url: input.value}));
      input.value = '';
      say('Target added.', true);
      load();
    } catch (err) {
      say(err.message, false);
    }
  }

  async function remove(id) {
    try {
      await del(`/settings/notifications/${id}`);
      say('Target removed.', true);
      load();
    } catch (err) {
      say(err.message, false);
    }
  }

  async function test() {
    try {
      const r = await busy(testBtn, 'Sending…', () => post('/settings/notifications/test'));
      if (r.failed.length) say(`Sent to ${r.sent}; not delivered: ${r.failed.join('; ')}`, false);
      else say(`Test sent to ${r.sent} ${r.sent === 1 ? 'target' : 'targets'}.`, true);
    } catch (err) {
      say(err.message, false);
    }
  }

  load();
  return {
    title: 'Notifications',
    el: h('div', {class: 'notifications-tab'},
      h('div', {class: 'section-head'}, h('h2', null, 'Notifications'), testBtn),
      h('p', {class: 'muted'}, 'photosync tells you once when a backup needs you (a sync that fails, files missing on the server, a refused password, coverage that dropped, a sync waiting for confirmation, no successful sync for three intervals) and once when it is resolved.'),
      status,
      h('section', {class: 'card', 'aria-label': 'Targets'}, list,
        h('form', {class: 'notify-form', onsubmit: add},
          h('label', {for: 'notify-url'}, 'Add a target: a webhook URL (gets a JSON POST) or ntfy://, gotify://, smtp://, matrix://, telegram://'),
          h('div', {class: 'row'}, input, addBtn)))),
  };
}
