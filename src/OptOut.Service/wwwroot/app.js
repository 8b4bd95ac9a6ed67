// The opt-out management panel: sign in, Create Opt Out (numbers, CSV uploads), Export and Past uploads; the settings
// form is settings.js, the search search.js, what they share common.js. Plain JavaScript modules over the admin HTTP
// API (docs/admin-api.md), no build step.
import {
  $, api, clearErrors, confirmAction, delay, download, el, fieldError, formatTime, label, measureSms, OUTCOMES, plural, session,
  setStatus, showProblem,
} from './common.js';
import { fillSettings } from './settings.js';
import './search.js';

const POLL_MS = 500;
const TERMINAL = new Set(['Completed', 'Failed', 'Undone']);
// The service's rule for an account id (AccountId.Pattern): the platform's own id, compared exactly.
const ACCOUNT_ID = /^[A-Za-z0-9._:@-]{1,64}$/;
const STORAGE = { key: 'optout.apiKey', account: 'optout.accountId' };

// ---- sign in -----------------------------------------------------------------------------------------------
async function connect(apiKey, accountId, { quiet = false } = {}) {
  const form = $('connect-form');
  clearErrors(form);
  let invalid = false;
  if (!apiKey) invalid = fieldError('api-key', 'Enter the API key.') || true;
  if (!ACCOUNT_ID.test(accountId)) {
    invalid = fieldError('account-id', accountId ? `'${accountId}' is not an account id: it is 1 to 64 letters, digits and . _ : @ - (for example acme-campaigns, 42 or a GUID).` : 'Enter the account id.') || true;
  }
  if (invalid) {
    if (!quiet) form.querySelector('[aria-invalid="true"]')?.focus();
    return false;
  }
  session.apiKey = apiKey;
  // Exactly as typed: Acme and acme are two accounts.
  session.accountId = accountId;
  const result = await api('settings');
  if (!result.ok) {
    if (result.status === 401) fieldError('api-key', result.body?.detail ?? 'The API key was not accepted.');
    else if (result.status === 403) fieldError('account-id', result.body?.detail ?? 'This API key may not manage this account.');
    else if (result.status === 400) fieldError('account-id', result.body?.detail ?? 'This is not an account id.');
    else if (result.status === 404) fieldError('account-id', 'No such account address: check the account id.');
    else $('connect-form-error').textContent = result.body?.detail || result.body?.title || `The service answered ${result.status}.`;
    if (!quiet) form.querySelector('[aria-invalid="true"]')?.focus();
    return false;
  }
  sessionStorage.setItem(STORAGE.key, session.apiKey);
  sessionStorage.setItem(STORAGE.account, session.accountId);
  $('connect-card').hidden = true;
  $('workspace').hidden = false;
  $('account-line').hidden = false;
  $('account-shown').textContent = session.accountId;
  fillSettings(result.body);
  loadUploads();
  if (!quiet) $('settings-title').focus();
  return true;
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  connect($('api-key').value.trim(), $('account-id').value.trim());
});

$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(STORAGE.key);
  sessionStorage.removeItem(STORAGE.account);
  session.apiKey = '';
  stopUploadPolling();
  $('workspace').hidden = true;
  $('account-line').hidden = true;
  $('connect-card').hidden = false;
  $('api-key').value = '';
  $('api-key').focus();
});

// ---- Create Opt Out: manual numbers ------------------------------------------------------------------------
function renderManualResults(results) {
  const body = $('manual-results').tBodies[0];
  body.replaceChildren(...results.map((r) => el('tr', { class: `outcome-${r.outcome}` },
    el('td', {}, r.input ?? ''),
    el('td', { class: 'nowrap' }, r.phoneNumber ?? ''),
    el('td', { class: 'nowrap' }, label(OUTCOMES, r.outcome)),
    el('td', {}, r.reason ?? ''))));
  $('manual-results-wrap').hidden = false;
  const counts = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  setStatus('manual-status', Object.entries(counts).map(([o, n]) => `${label(OUTCOMES, o)}: ${n}`).join(', '));
}

$('manual-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const phones = $('manual-phones').value.trim();
  if (!phones) {
    fieldError('manual-phones', 'Enter at least one phone number.');
    $('manual-phones').focus();
    return;
  }
  setStatus('manual-status', 'Opting out…');
  // New lines are list separators too: the API splits on commas.
  const result = await api('opt-outs', { method: 'POST', json: { phones: phones.split(/\r?\n/).join(','), note: $('manual-note').value.trim() || null } });
  if (result.status === 200) {
    renderManualResults(result.body.results ?? []);
    return;
  }
  setStatus('manual-status', '');
  // 202: the service could not finish it now and queued it; there is no outcome to show yet.
  if (result.status === 202) {
    $('manual-form-error').textContent = 'The service could not finish this now; the request is queued and will still be applied. Search for the numbers later.';
    return;
  }
  showProblem(form, result, { fields: { phones: 'manual-phones', note: 'manual-note' }, fallbackField: 'manual-phones' });
});

// ---- Create Opt Out: bulk upload ---------------------------------------------------------------------------
// One poller per purpose: a new upload replaces the previous upload's poller, an undo doesn't stop it.
const pollers = { upload: 0, undo: 0 };
const stopUploadPolling = () => { pollers.upload++; pollers.undo++; };

const COUNT_LABELS = [
  ['optedOut', 'Opted out'], ['alreadyOptedOut', 'Already opted out'], ['duplicateRows', 'Duplicate rows'],
  ['invalidRows', 'Rejected rows'], ['flaggedRows', 'Flagged (possible but not valid, opted out anyway)'],
  ['supersededRows', 'Kept opted in (newer opt-in)'],
];

function showProgress(upload) {
  const bar = $('upload-progress');
  const total = upload.totalRows ?? 0;
  const read = upload.rowsRead ?? 0;
  let text;
  if (upload.status === 'Queued' || (upload.status === 'Running' && total === 0)) {
    bar.removeAttribute('value'); // indeterminate while the file is checked
    text = upload.status === 'Queued' ? 'Queued…' : 'Checking the file…';
  } else {
    const percent = total > 0 ? Math.min(100, Math.round((read / total) * 100)) : 100;
    bar.value = TERMINAL.has(upload.status) || upload.status === 'Ingested' ? 100 : percent;
    text = upload.status === 'Running'
      ? `${percent}% · ${read.toLocaleString()} of ${plural(total, 'row', 'rows')} read`
      : upload.status === 'Ingested'
        ? `100% · ${plural(total, 'row', 'rows')} read; sending the state changes…`
        : `${upload.status}`;
  }
  bar.setAttribute('aria-valuetext', text);
  setStatus('upload-progress-text', text);
}

function renderReport(upload) {
  const report = $('upload-report');
  report.hidden = false;
  const rows = upload.totalRows ?? 0;
  $('upload-report-summary').textContent =
    `${upload.fileName ?? 'Upload'} · ${upload.status}${upload.dryRun ? ' (dry run: nothing was changed)' : ''} · ${plural(rows, 'row', 'rows')}`
    + (upload.undo ? ` · undone: ${plural(upload.undo.optedIn, 'number', 'numbers')} opted back in, ${upload.undo.kept.toLocaleString()} kept` : '');
  const counts = upload.counts ?? {};
  $('upload-report-counts').replaceChildren(...COUNT_LABELS.flatMap(([key, text]) => [
    el('div', { class: 'count', 'data-count': key }, el('dt', {}, text), el('dd', {}, (counts[key] ?? 0).toLocaleString())),
  ]));
  $('upload-report-failure').textContent = upload.status === 'Failed' ? `The file was not used: ${upload.failureReason ?? 'unknown reason'}` : '';
  const rejected = upload.rejectedRows ?? [];
  $('rejected-rows').tBodies[0].replaceChildren(...rejected.map((r) => el('tr', {},
    el('td', {}, r.row), el('td', {}, r.value), el('td', {}, r.reason))));
  $('rejected-wrap').hidden = rejected.length === 0;
  if ((counts.invalidRows ?? 0) > rejected.length) {
    $('rejected-rows').caption.textContent = `Rejected rows (the first ${rejected.length.toLocaleString()}; the report has all of them)`;
  } else {
    $('rejected-rows').caption.textContent = 'Rejected rows';
  }
  const link = $('download-report');
  link.hidden = !upload.reportUrl;
  link.dataset.url = upload.reportUrl ?? '';
  link.dataset.name = `report-${upload.uploadId}.csv`;
  $('download-report-error').textContent = '';
}

/**
 * Polls an upload about every 500 ms until its status is one of `until` (by default Completed, Failed or Undone);
 * resolves to its last state, or null when a newer poll of the same purpose replaced this one.
 */
async function pollUpload(statusUrl, { onProgress, purpose = 'upload', until = TERMINAL, timeoutMs = 6 * 60 * 60 * 1000 } = {}) {
  const token = ++pollers[purpose];
  const deadline = Date.now() + timeoutMs;
  let misses = 0;
  while (token === pollers[purpose]) {
    const result = await api(statusUrl);
    if (token !== pollers[purpose]) return null;
    if (result.ok) {
      misses = 0;
      onProgress?.(result.body);
      if (until.has(result.body.status) || Date.now() > deadline) return result.body;
    } else if (result.status === 0 || result.status >= 500) {
      // The service is restarting or out of reach: the upload is stored and resumes; keep asking a while.
      if (++misses > 120) return { status: 'Unknown', failureReason: result.body?.detail ?? 'the service stopped answering' };
    } else {
      return { status: 'Unknown', failureReason: result.body?.detail ?? result.body?.title };
    }
    await delay(POLL_MS);
  }
  return null;
}

$('upload-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const file = $('upload-file').files[0];
  if (!file) {
    fieldError('upload-file', 'Choose a CSV file with a phone column.');
    $('upload-file').focus();
    return;
  }
  const data = new FormData();
  data.append('file', file, file.name);
  data.append('dryRun', $('upload-dry-run').checked ? 'true' : 'false');
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  $('upload-report').hidden = true;
  $('upload-progress-box').hidden = false;
  showProgress({ status: 'Queued' });
  try {
    const result = await api('bulk-uploads', { method: 'POST', form: data });
    if (result.status !== 202) {
      $('upload-progress-box').hidden = true;
      showProblem(form, result, { fields: { file: 'upload-file' }, fallbackField: 'upload-file' });
      return;
    }
    loadUploads();
    const final = await pollUpload(result.body.statusUrl, { onProgress: showProgress });
    if (!final) return;
    showProgress(final);
    renderReport(final);
    loadUploads();
    $('upload-report').focus();
  } finally {
    button.disabled = false;
  }
});

$('download-report').addEventListener('click', async (event) => {
  event.preventDefault();
  const link = event.currentTarget;
  const result = await download(link.dataset.url, link.dataset.name);
  $('download-report-error').textContent = result.ok ? '' : (result.body?.detail ?? 'The report could not be downloaded.');
});

// ---- Export --------------------------------------------------------------------------------------------------
$('export-button').addEventListener('click', async () => {
  setStatus('export-status', 'Preparing the export…');
  const result = await download('opt-outs.csv', 'opt-outs.csv');
  setStatus('export-status', result.ok
    ? `Downloaded ${result.name} (${plural(result.size, 'byte', 'bytes')}).`
    : `The export failed: ${result.body?.detail ?? result.body?.title ?? result.status}`);
});

// ---- Past uploads ----------------------------------------------------------------------------------------------
async function loadUploads() {
  const result = await api('bulk-uploads');
  if (!result.ok) {
    setStatus('uploads-status', `The uploads could not be listed: ${result.body?.detail ?? result.status}`);
    return;
  }
  const uploads = result.body ?? [];
  const body = $('uploads-table').tBodies[0];
  body.replaceChildren(...uploads.map((u) => {
    const undoable = !u.dryRun && (u.status === 'Completed' || u.status === 'Ingested');
    return el('tr', { 'data-upload-id': u.uploadId },
      el('td', {}, u.fileName ?? '', u.dryRun ? el('span', { class: 'tag' }, 'dry run') : null),
      el('td', {}, formatTime(u.submittedAt), u.submittedBy ? el('span', { class: 'by' }, ` by ${u.submittedBy}`) : null),
      el('td', {}, u.status),
      el('td', {}, (u.counts?.optedOut ?? 0).toLocaleString()),
      el('td', {}, (u.counts?.invalidRows ?? 0).toLocaleString()),
      el('td', { class: 'row-actions' },
        el('button', { type: 'button', 'aria-label': `Show the report of ${u.fileName ?? 'this upload'}`, onclick: () => showUpload(u.uploadId) }, 'Report'),
        undoable
          ? el('button', { type: 'button', class: 'danger', 'aria-label': `Undo ${u.fileName ?? 'this upload'}`, onclick: () => undoUpload(u) }, 'Undo')
          : null));
  }));
  if (uploads.length === 0) body.append(el('tr', {}, el('td', { colspan: '6' }, 'No uploads yet.')));
}

async function showUpload(uploadId) {
  const result = await api(`bulk-uploads/${uploadId}`);
  if (!result.ok) {
    setStatus('uploads-status', result.body?.detail ?? `The upload could not be read (${result.status}).`);
    return;
  }
  renderReport(result.body);
  $('upload-report').focus();
}

async function undoUpload(upload) {
  const answer = await confirmAction({
    title: 'Undo upload',
    text: `Undo ${upload.fileName ?? 'this upload'}? The numbers it opted out are opted back in, except those that opted out again since.`,
    confirmLabel: 'Undo upload',
  });
  if (!answer.confirmed) return;
  const result = await api(`bulk-uploads/${upload.uploadId}/undo`, { method: 'POST' });
  if (result.status !== 202) {
    setStatus('uploads-status', `${result.body?.title ?? 'Undo failed'}: ${result.body?.detail ?? result.status}`);
    return;
  }
  setStatus('uploads-status', `Undoing ${upload.fileName ?? 'the upload'}…`);
  // The upload still says Completed until the undo has run: wait for Undone (or Failed), for a while.
  const final = await pollUpload(result.body.statusUrl, { purpose: 'undo', until: new Set(['Undone', 'Failed']), timeoutMs: 10 * 60 * 1000 });
  if (!final) return;
  setStatus('uploads-status', final.status === 'Undone'
    ? `${upload.fileName ?? 'The upload'} was undone: ${plural(final.undo?.optedIn ?? 0, 'number', 'numbers')} opted back in, ${(final.undo?.kept ?? 0).toLocaleString()} kept.`
    : `${upload.fileName ?? 'The upload'} is still ${final.status}: the undo is queued; refresh the list later. ${final.failureReason ?? ''}`.trim());
  loadUploads();
}

$('refresh-uploads').addEventListener('click', loadUploads);

// ---- start ---------------------------------------------------------------------------------------------------
window.optOutPanel = { measureSms };

const fromUrl = new URLSearchParams(location.search).get('account');
const storedKey = sessionStorage.getItem(STORAGE.key) ?? '';
const account = fromUrl ?? sessionStorage.getItem(STORAGE.account) ?? '';
$('account-id').value = account;
if (storedKey && account) {
  $('api-key').value = storedKey;
  connect(storedKey, account, { quiet: true });
} else {
  $('api-key').focus();
}
