// Backup: per account, how much of the library is proven to be on the
// server and since when (the proof of backup, docs/backup.md): a coverage
// figure and bar, a chart by year with its numbers as a table, the
// oldest proof, the gaps with their causes, and Verify / Repair.

import {h, replace, busy, announce, sentence} from './dom.js';
import {icon} from './icons.js';
import {get, post, loadAccounts, displayName} from './api.js';
import {ago, bytes, dateTime} from './format.js';
import {onJob, trackJob} from './jobs.js';

const STATES = [
  ['verified', 'Verified'],
  ['unverified', 'Not proven yet'],
  ['pending', 'Pending'],
  ['failed', 'Failed'],
];

const num = (n) => Number(n || 0).toLocaleString('en-US');

/** percent is n of total with one decimal, rounded down: 100% means all. */
function percent(n, total) {
  if (!total) return '100%';
  const p = Math.floor((n * 1000) / total) / 10;
  return `${p.toLocaleString('en-US', {maximumFractionDigits: 1})}%`;
}

/** coverageBar is the stacked bar of a status's files by state. */
function coverageBar(s) {
  const bar = h('div', {class: 'coverage-bar', 'aria-hidden': 'true'});
  for (const [state] of STATES) {
    if (s[state] > 0 && s.files > 0) {
      const seg = h('span', {class: `seg ${state}`});
      seg.style.width = `${(s[state] * 100) / s.files}%`; // CSSOM: the CSP refuses style attributes
      bar.append(seg);
    }
  }
  return bar;
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** yearChart draws the files of each year, stacked by state, as SVG. */
function yearChart(years, captionId) {
  const rows = years.filter((y) => STATES.some(([s]) => y[s] > 0));
  const max = Math.max(1, ...rows.map((y) => STATES.reduce((t, [s]) => t + y[s], 0)));
  const barW = 28;
  const gap = 14;
  const height = 140;
  const width = Math.max(200, rows.length * (barW + gap) + gap);
  const chart = svg('svg', {class: 'year-chart', viewBox: `0 0 ${width} ${height + 22}`, width, height: height + 22,
    role: 'img', 'aria-labelledby': captionId});
  rows.forEach((y, i) => {
    const x = gap + i * (barW + gap);
    let top = height;
    for (const [state, label] of STATES) {
      if (!y[state]) continue;
      const hgt = (y[state] * height) / max;
      top -= hgt;
      chart.append(svg('rect', {class: `seg ${state}`, x, y: top, width: barW, height: hgt, 'data-year': y.year, 'data-state': state},
        svg('title', null, `${y.year || 'Unknown year'}: ${num(y[state])} ${label.toLowerCase()}`)));
    }
    chart.append(svg('text', {x: x + barW / 2, y: height + 16, 'text-anchor': 'middle', class: 'axis'}, y.year ? String(y.year) : '?'));
  });
  return chart;
}

/** yearTable is the chart's numbers, the text alternative. */
function yearTable(years, id) {
  return h('table', {class: 'year-table', id},
    h('caption', null, 'Files by year taken'),
    h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Year'), STATES.map(([, l]) => h('th', {scope: 'col'}, l)))),
    h('tbody', null, years.map((y) => h('tr', {'data-year': y.year},
      h('th', {scope: 'row'}, y.year ? String(y.year) : 'Unknown'),
      STATES.map(([s]) => h('td', {'data-state': s}, num(y[s])))))));
}

function accountCard(a, s, reload) {
  const errorBox = h('p', {class: 'alert error', role: 'alert', hidden: true});
  const verifyBtn = h('button', {type: 'button', class: 'verify', onclick: () => start(verifyBtn, false)}, icon('cloudCheck'), 'Verify now');
  const repairBtn = h('button', {type: 'button', class: 'primary repair', onclick: () => start(repairBtn, true), disabled: s.gaps_total === 0},
    icon('refresh'), 'Repair');

  async function start(button, repair) {
    errorBox.hidden = true;
    try {
      const job = await busy(button, repair ? 'Repairing…' : 'Verifying…', () => post(`/accounts/${a.id}/verify`, {full: false, repair}));
      trackJob(job);
      announce(repair ? `Repair of ${displayName(a)} started.` : `Verify of ${displayName(a)} started.`);
    } catch (err) {
      errorBox.textContent = sentence(err.message);
      errorBox.hidden = false;
    }
  }

  const captionId = `year-caption-${a.id}`;
  const tableId = `year-table-${a.id}`;
  const oldest = s.oldest_verified_at
    ? h('span', null, 'Oldest proof ', h('time', {datetime: s.oldest_verified_at, title: dateTime(s.oldest_verified_at)}, ago(s.oldest_verified_at)),
      ' · last ', h('time', {datetime: s.last_verified_at, title: dateTime(s.last_verified_at)}, ago(s.last_verified_at)))
    : h('span', null, 'Nothing proven on this server yet');
  const shown = s.gaps.length;
  return h('section', {class: 'card backup-card', 'data-account-id': a.id, 'aria-labelledby': `backup-name-${a.id}`},
    h('div', {class: 'section-head'},
      h('h2', {id: `backup-name-${a.id}`}, displayName(a)),
      h('div', {class: 'actions'}, verifyBtn, repairBtn)),
    errorBox,
    h('p', {class: 'coverage'},
      h('span', {class: 'coverage-figure'}, percent(s.verified, s.files)),
      h('span', {class: 'coverage-text'}, `${num(s.verified)} of ${num(s.files)} files verified`)),
    coverageBar(s),
    h('ul', {class: 'backup-counts'},
      STATES.map(([state, label]) => h('li', {class: state, 'data-state': state}, h('span', {class: 'dot', 'aria-hidden': 'true'}),
        `${label}: `, h('strong', null, num(s[state])))),
      h('li', {class: 'excluded', 'data-state': 'excluded'}, 'Not backed up by this server: ', h('strong', null, num(s.excluded)))),
    h('p', {class: 'muted backup-proof'}, oldest, ` · ${bytes(s.bytes)} backed up`),
    h('figure', {class: 'year-figure'},
      yearChart(s.by_year, captionId),
      h('figcaption', {id: captionId}, `Files by year taken, stacked: verified, not proven yet, pending, failed. The numbers are in the table below.`)),
    h('details', {class: 'year-details'}, h('summary', null, 'Numbers by year'), yearTable(s.by_year, tableId)),
    h('h3', null, s.gaps_total ? `Gaps (${num(s.gaps_total)})` : 'No gaps'),
    s.gaps_total
      ? h('ul', {class: 'gap-list failed-list'}, s.gaps.map((g) => h('li', {class: `gap ${g.state}`, 'data-path': g.path},
        h('span', {class: 'path'}, g.path), ' ', h('span', {class: `state ${g.state}`}, g.state), ': ',
        h('span', {class: 'reason'}, sentence(g.reason)))))
      : h('p', {class: 'muted'}, 'Every file this server backs up is on it.'),
    s.gaps_total > shown ? h('p', {class: 'muted'}, `And ${num(s.gaps_total - shown)} more: photosync status --gaps lists them all.`) : null);
}

/** backupPage returns the Backup overview. */
export function backupPage() {
  const body = h('div', {id: 'backup-list', 'aria-busy': 'true'}, h('p', {class: 'muted'}, 'Loading…'));

  async function load() {
    try {
      const accounts = await loadAccounts(true);
      if (accounts.length === 0) {
        replace(body, h('div', {class: 'empty card'}, h('p', null, 'No server yet. ', h('a', {href: '/settings/backup'}, 'Add one'), ' to back up the library.')));
        return;
      }
      const statuses = await Promise.all(accounts.map((a) => get(`/accounts/${a.id}/backup?limit=50`)));
      replace(body, accounts.map((a, i) => accountCard(a, statuses[i], load)));
    } catch (err) {
      replace(body, h('p', {class: 'alert error', role: 'alert'}, sentence(err.message)));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  load();
  const off = onJob((job, justEnded) => {
    if (justEnded && ['verify', 'sync', 'upload', 'restore'].includes(job.kind)) load();
  });
  return {
    title: 'Backup',
    el: h('div', {class: 'page backup-page'},
      h('div', {class: 'page-head'}, h('h1', null, 'Backup')),
      h('p', {class: 'muted'}, 'How much of the library each server holds, proven by content: a file is verified when the server’s hash or a read-back matched the library’s.'),
      body),
    destroy: off,
  };
}
