// Search: a number's state, how and by whom it was opted out (for a contact's text, how it was read), its history;
// Delete Opt Out opts it back in after a confirmation.
import { $, api, clearErrors, confirmAction, el, fieldError, formatTime, label, OUTCOMES, setStatus, showProblem, SOURCES, STATES } from './common.js';
import { languageName } from './settings.js';

const METHODS = { Keyword: 'Keyword', Phrase: 'Phrase (natural language)', Typo: 'Misspelt keyword' };
// Sentences rather than values: a row of their own.
const WIDE = new Set(['note', 'text', 'reason']);
const score = (value) => (typeof value === 'number' ? value.toFixed(2) : '');

/** How a text was read, in one line: "Phrase (natural language) · English · STOP TEXTING · score 0.92". */
function describeDetection(detection) {
  if (!detection) return '';
  return [label(METHODS, detection.method), languageName(detection.language), detection.matched, `score ${score(detection.score)}`]
    .filter(Boolean).join(' · ');
}

/**
 * The contact's words, from the note of the entry their text caused: `Contact texted "<text>"[ to <our number>][: <reason>]`
 * (InboundTextHandler.Note; the reason is the detection's). Null for a note of another shape.
 */
function contactText(entry) {
  const prefix = 'Contact texted "';
  const note = entry.note ?? '';
  if (!note.startsWith(prefix) || !entry.detection) return null;
  let rest = note.slice(prefix.length);
  const reason = entry.detection.reason ? `: ${entry.detection.reason}` : '';
  if (reason && rest.endsWith(reason)) rest = rest.slice(0, -reason.length);
  const end = rest.lastIndexOf('"'); // what follows the quote is " to <number>", which has none
  return end < 0 ? null : rest.slice(0, end);
}

/** How the number was opted out, when a contact's text did it: the keyword, or what the detector read and why. */
function detectionRows(entry) {
  const d = entry?.detection;
  if (!d) return [];
  if (d.method === 'Keyword') return [['keyword', 'Keyword', `${d.matched ?? ''} (${languageName(d.language)})`]];
  return [
    ['method', 'Detected as', label(METHODS, d.method)],
    ['language', 'Language', languageName(d.language)],
    ['matched', 'Matched', d.matched ?? ''],
    ['score', 'Score', score(d.score)],
    ['text', "Contact's text", contactText(entry) ?? ''],
    ['reason', 'Why', d.reason ?? ''],
  ];
}

function renderOptOut(record) {
  const history = record.history ?? [];
  const optOut = history.findLast((h) => h.state === 'OptedOut');
  const rows = [
    ['number', 'Number', record.phoneNumber],
    ['state', 'State', label(STATES, record.state)],
    ['source', 'Source', label(SOURCES, record.source)],
    ['note', 'Note', record.note ?? ''],
    ['by', 'By', record.actor ?? ''],
    ['opted out at', 'Opted out at', formatTime(record.optedOutAt)],
    ['last change', 'Last change', formatTime(record.updatedAt)],
    ...detectionRows(optOut),
  ];
  if (record.flagged) rows.push(['flagged', 'Flagged', 'Possible but not a valid number: opted out anyway']);
  const parts = [
    el('dl', { class: 'record', id: 'search-record' }, rows.map(([field, name, value]) =>
      el('div', { class: WIDE.has(field) ? 'wide' : null }, el('dt', {}, name), el('dd', { 'data-field': field }, value)))),
    el('div', { class: 'table-wrap', tabindex: '0', 'aria-label': 'History' },
      el('table', { id: 'history-table' },
        el('caption', {}, 'History'),
        el('thead', {}, el('tr', {}, ['When', 'State', 'Source', 'By', 'Note', 'Detected'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, history.map((h) => el('tr', {},
          el('td', {}, formatTime(h.at)), el('td', {}, label(STATES, h.state)), el('td', {}, label(SOURCES, h.source)),
          el('td', {}, h.actor ?? ''), el('td', {}, h.note ?? ''), el('td', {}, describeDetection(h.detection))))))),
  ];
  if (record.state === 'OptedOut') {
    parts.push(el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'danger', id: 'delete-opt-out', onclick: () => deleteOptOut(record.phoneNumber) }, 'Delete Opt Out')));
  }
  $('search-result').replaceChildren(...parts);
}

async function search(phone, { announce = true } = {}) {
  const form = $('search-form');
  clearErrors(form);
  $('search-result').replaceChildren();
  const result = await api(`opt-outs/${encodeURIComponent(phone)}`);
  if (result.ok) {
    renderOptOut(result.body);
    if (announce) setStatus('search-status', `${result.body.phoneNumber}: ${label(STATES, result.body.state)}.`);
  } else if (result.status === 404) {
    // Not an error in what was typed: the number was simply never opted out.
    setStatus('search-status', result.body?.detail ?? 'This number has never been opted out.');
  } else {
    setStatus('search-status', '');
    showProblem(form, result, { fields: { phone: 'search-phone' }, fallbackField: 'search-phone' });
  }
  return result;
}

async function deleteOptOut(phoneNumber) {
  const answer = await confirmAction({
    title: 'Delete Opt Out',
    text: `Opt ${phoneNumber} back in? The campaign service resumes texting this number in every conversation of the account.`,
    confirmLabel: 'Delete Opt Out',
    askReason: true,
  });
  if (!answer.confirmed) {
    setStatus('search-status', 'Nothing was deleted.');
    return;
  }
  const query = answer.reason ? `?reason=${encodeURIComponent(answer.reason)}` : '';
  const result = await api(`opt-outs/${encodeURIComponent(phoneNumber)}${query}`, { method: 'DELETE' });
  if (!result.ok) {
    showProblem($('search-form'), result, { fallbackField: 'search-phone' });
    return;
  }
  if (result.status === 202) {
    setStatus('search-status', `The service could not finish this now; opting ${phoneNumber} back in is queued and will still be applied. Search again later.`);
    $('search-status').focus();
    return;
  }
  const outcome = result.body.outcome;
  const text = outcome === 'OptedIn'
    ? `${result.body.phoneNumber} was opted back in.`
    : `${result.body.phoneNumber}: ${label(OUTCOMES, outcome)}${result.body.reason ? ` (${result.body.reason})` : ''}.`;
  await search(phoneNumber, { announce: false });
  setStatus('search-status', text);
  $('search-status').focus();
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const phone = $('search-phone').value.trim();
  if (!phone) {
    clearErrors(event.currentTarget);
    fieldError('search-phone', 'Enter a phone number.');
    $('search-phone').focus();
    return;
  }
  search(phone);
});
