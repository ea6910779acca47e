// Backup: per account, the files proven on the server (docs/backup.md),
// by year (chart and table), the gaps and causes, Verify and Repair.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, loadAccounts, displayName} from './api.js';
import {ago, bytes} from './format.js';
import {onJob, trackJob} from './jobs.js';

const STATES = [['verified', 'Verified'], ['unverified', 'Not proven yet'], ['pending', 'Pending'], ['failed', 'Failed']];
const num = (n) => Number(n || 0).toLocaleString('en-US');

// percent rounds down, so that 100% means every file.
function percent(n, total) {
  return total ? `${(Math.floor((n * 1000) / total) / 10).toLocaleString('en-US')}%` : '100%';
}

function svg(tag, attrs, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...kids);
  return el;
}

function yearChart(years, captionId) {
  const rows = years.filter((y) => STATES.some(([s]) => y[s] > 0));
  const max = Math.max(1, ...rows.map((y) => STATES.reduce((t, [s]) => t + y[s], 0)));
  const width = Math.max(200, rows.length * 42 + 14);
  const chart = svg('svg', {class: 'year-chart', viewBox: `0 0 ${width} 162`, width, height: 162, role: 'img', 'aria-labelledby': captionId});
  rows.forEach((y, i) => {
    const x = 14 + i * 42;
    let top = 140;
    for (const [state, label] of STATES) {
      if (!y[state]) continue;
      const hgt = (y[state] * 140) / max;
      top -= hgt;
      chart.append(svg('rect', {class: `seg ${state}`, x, y: top, width: 28, height: hgt, 'data-year': y.year},
        svg('title', {}, `${y.year || '?'}: ${num(y[state])} ${label.toLowerCase()}`)));
    }
    chart.append(svg('text', {x: x + 14, y: 156, 'text-anchor': 'middle', class: 'axis'}, y.year ? String(y.year) : '?'));
  });
  return chart;
}

function card(a, s) {
  const err = h('p', {class: 'alert error', role: 'alert', hidden: true});
  const start = async (button, repair) => {
    err.hidden = true;
    try {
      trackJob(await busy(button, repair ? 'Repairing…' : 'Verifying…', () => post(`/accounts/${a.id}/verify`, {full: false, repair})));
      announce(`${repair ? 'Repair' : 'Verify'} of ${displayName(a)} started.`);
    } catch (e) {
      err.textContent = sentence(e.message);
      err.hidden = false;
    }
  };
  const verify = h('button', {type: 'button', onclick: () => start(verify, false)}, icon('cloudCheck'), 'Verify now');
  const repair = h('button', {type: 'button', class: 'primary repair', disabled: !s.gaps_total, onclick: () => start(repair, true)}, icon('refresh'), 'Repair');
  const bar = h('div', {class: 'coverage-bar', 'aria-hidden': 'true'});
  for (const [state] of STATES) {
    if (!s[state] || !s.files) continue;
    const seg = h('span', {class: `seg ${state}`});
    seg.style.width = `${(s[state] * 100) / s.files}%`; // CSSOM: the policy refuses style attributes
    bar.append(seg);
  }
  const cap = `year-caption-${a.id}`;
  return h('section', {class: 'card backup-card', 'data-account-id': a.id},
    h('div', {class: 'section-head'}, h('h2', null, displayName(a)), h('div', {class: 'actions'}, verify, repair)),
    err,
    h('p', {class: 'coverage'}, h('span', {class: 'coverage-figure'}, percent(s.verified, s.files)),
      h('span', {class: 'coverage-text'}, `${num(s.verified)} of ${num(s.files)} files verified`)),
    bar,
    h('ul', {class: 'backup-counts'}, STATES.map(([state, label]) => h('li', {class: state}, h('span', {class: 'dot'}), `${label}: `, h('strong', null, num(s[state])))),
      h('li', null, 'Not backed up here: ', h('strong', null, num(s.excluded)))),
    h('p', {class: 'muted'}, s.oldest_verified_at ? `Oldest proof ${ago(s.oldest_verified_at)} · last ${ago(s.last_verified_at)}` : 'Nothing proven on this server yet',
      ` · ${bytes(s.bytes)} backed up`),
    h('figure', {class: 'year-figure'}, yearChart(s.by_year, cap),
      h('figcaption', {id: cap}, 'Files by year taken: verified, not proven yet, pending, failed (numbers in the table below).')),
    h('details', null, h('summary', null, 'Numbers by year'), h('table', {class: 'year-table'},
      h('tr', null, h('th', null, 'Year'), STATES.map(([, l]) => h('th', null, l))),
      s.by_year.map((y) => h('tr', {'data-year': y.year}, h('th', null, y.year || 'Unknown'), STATES.map(([st]) => h('td', null, num(y[st]))))))),
    h('h3', null, s.gaps_total ? `Gaps (${num(s.gaps_total)})` : 'No gaps'),
    s.gaps_total
      ? h('ul', {class: 'gap-list'}, s.gaps.map((g) => h('li', {'data-path': g.path}, h('span', {class: 'path'}, g.path), ' ',
        h('span', {class: `state ${g.state}`}, g.state), `: ${sentence(g.reason)}`)))
      : h('p', {class: 'muted'}, 'Every file this server backs up is on it.'),
    s.gaps_total > s.gaps.length ? h('p', {class: 'muted'}, `And ${num(s.gaps_total - s.gaps.length)} more: photosync status --gaps lists all.`) : null);
}

/** backupPage returns the Backup overview. */
export function backupPage() {
  const body = h('div', {id: 'backup-list'}, h('p', {class: 'muted'}, 'Loading…'));
  async function load() {
    try {
      const accounts = await loadAccounts(true);
      const all = await Promise.all(accounts.map((a) => get(`/accounts/${a.id}/backup?limit=50`)));
      replace(body, accounts.length ? accounts.map((a, i) => card(a, all[i]))
        : h('p', {class: 'empty card'}, 'No server yet. ', h('a', {href: '/settings/backup'}, 'Add one'), ' to back up the library.'));
    } catch (e) {
      replace(body, h('p', {class: 'alert error', role: 'alert'}, sentence(e.message)));
    }
  }
  load();
  const off = onJob((job, ended) => ended && job.kind !== 'index' && load());
  return {
    title: 'Backup',
    el: h('div', {class: 'page backup-page'}, h('h1', null, 'Backup'),
      h('p', {class: 'muted'}, 'A file is verified when the server’s hash or a read-back matched the library’s.'), body),
    destroy: off,
  };
}
