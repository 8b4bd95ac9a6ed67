// The opt-out management panel: plain JavaScript over the admin HTTP API (docs/admin-api.md), no build step.
// Every call sends the API key in the X-Api-Key header; the key lives in this tab's sessionStorage only.
'use strict';

(() => {
  // ---- SMS segments: the same rules as src/OptOut.Core/SmsSegments.cs (3GPP TS 23.038 / 23.040) -------------
  // Keep these two strings identical to the C# ones: the browser specs compare both implementations.
  const GSM_BASIC =
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  const GSM_EXTENSION = '\f^{}\\[~]|€';

  /** Encoding, length in that encoding and segments, like SmsSegments.Measure (UTF-16 code units, as C# chars). */
  function measureSms(text) {
    text = text ?? '';
    let septets = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (GSM_BASIC.includes(c)) {
        septets++;
      } else if (GSM_EXTENSION.includes(c)) {
        septets += 2;
      } else {
        return { encoding: 'UCS-2', length: text.length, segments: text.length <= 70 ? 1 : Math.floor((text.length + 66) / 67) };
      }
    }
    return { encoding: 'GSM-7', length: septets, segments: septets <= 160 ? 1 : Math.floor((septets + 152) / 153) };
  }

  const MAX_MESSAGE_LENGTH = 320;
  const POLL_MS = 500;
  const TERMINAL = new Set(['Completed', 'Failed', 'Undone']);
  const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
  const STORAGE = { key: 'optout.apiKey', account: 'optout.accountId' };

  const $ = (id) => document.getElementById(id);
  const session = { apiKey: '', accountId: '' };

  // ---- small helpers ------------------------------------------------------------------------------------
  const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
  const formatTime = (value) => (value ? new Date(value).toLocaleString() : '');
  const OUTCOMES = {
    OptedOut: 'Opted out', OptedIn: 'Opted in', AlreadyOptedOut: 'Already opted out',
    NotOptedOut: 'Was not opted out', Rejected: 'Rejected', Superseded: 'Superseded by a newer opt-in',
  };
  const STATES = { OptedOut: 'Opted out', OptedIn: 'Opted in' };
  const SOURCES = { Keyword: 'Keyword', Manual: 'Manual', Messenger: 'Messenger', BulkUpload: 'Bulk upload', Api: 'API' };
  const label = (map, value) => map[value] ?? value ?? '';
  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function setStatus(id, text) {
    $(id).textContent = text ?? '';
  }

  /** Calls the account's API. Resolves to { status, ok, body, response }; body is JSON when the answer is JSON. */
  async function api(path, { method = 'GET', json, form, raw = false } = {}) {
    const headers = { 'X-Api-Key': session.apiKey, Accept: 'application/json, application/problem+json' };
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      body = form; // the browser sets the multipart boundary
    }
    const url = path.startsWith('/') ? path : `/api/accounts/${encodeURIComponent(session.accountId)}/${path}`;
    let response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (error) {
      return { status: 0, ok: false, body: { title: 'The service did not answer', detail: String(error.message ?? error) } };
    }
    if (raw && response.ok) return { status: response.status, ok: true, response };
    const type = response.headers.get('Content-Type') ?? '';
    let parsed = null;
    if (type.includes('json')) {
      try {
        parsed = await response.json();
      } catch {
        parsed = null;
      }
    } else if (!response.ok) {
      parsed = { title: `${response.status} ${response.statusText}`, detail: (await response.text()).slice(0, 500) };
    }
    return { status: response.status, ok: response.ok, body: parsed, response };
  }

  // ---- errors next to the field they concern -----------------------------------------------------------------
  function clearErrors(form) {
    for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  }

  function fieldError(inputId, message) {
    const input = $(inputId);
    const target = $(`${inputId}-error`);
    if (!target) return false;
    target.textContent = message;
    if (input) input.setAttribute('aria-invalid', 'true');
    return true;
  }

  /**
   * Shows a problem details answer ({ title, detail, errors }) in a form: each entry of `errors` next to its field
   * (fields maps the API's names, case-insensitive, to input ids), anything else next to `fallbackField` or, without
   * one, at the form's level. Focus moves to the first field in error.
   */
  function showProblem(form, result, { fields = {}, fallbackField } = {}) {
    clearErrors(form);
    const problem = result.body ?? {};
    const lowered = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
    const leftover = [];
    let first = null;
    if (result.status === 401) {
      leftover.push('The API key was not accepted: sign out and sign in again with a valid key.');
    } else if (result.status === 403) {
      leftover.push('This API key may not manage this account.');
    } else if (problem.errors && typeof problem.errors === 'object') {
      for (const [name, messages] of Object.entries(problem.errors)) {
        const text = [].concat(messages).join(' ');
        const inputId = lowered[name.toLowerCase()] ?? fallbackField;
        if (inputId && fieldError(inputId, text)) first ??= inputId;
        else leftover.push(text);
      }
    } else {
      const text = problem.detail || problem.title || `The request failed (${result.status}).`;
      if (fallbackField && fieldError(fallbackField, text)) first = fallbackField;
      else leftover.push(text);
    }
    if (leftover.length) {
      const formError = form.querySelector('.form-error');
      const heading = problem.title && !leftover.includes(problem.title) ? `${problem.title}: ` : '';
      if (formError) formError.textContent = heading + leftover.join(' ');
    }
    if (first) $(first).focus();
  }

  // ---- downloads: plain links can't send the API key, so fetch and save a blob ------------------------------
  async function download(path, fallbackName) {
    const result = await api(path, { raw: true });
    if (!result.ok) return result;
    const blob = await result.response.blob();
    const disposition = result.response.headers.get('Content-Disposition') ?? '';
    const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition);
    const name = match ? decodeURIComponent(match[1] ?? match[2]) : fallbackName;
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { ok: true, name, size: blob.size };
  }

  // ---- confirmation dialog -------------------------------------------------------------------------------------
  /** Asks before a destructive action. Resolves to { confirmed, reason }. */
  function confirmAction({ title, text, confirmLabel, askReason = false }) {
    const dialog = $('confirm-dialog');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = confirmLabel;
    $('confirm-reason-field').hidden = !askReason;
    $('confirm-reason').value = '';
    const opener = document.activeElement;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => {
        if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
        resolve({ confirmed: dialog.returnValue === 'confirm', reason: $('confirm-reason').value.trim() });
      }, { once: true });
      dialog.returnValue = 'cancel';
      dialog.showModal();
      // The safe choice has the focus, so Enter on an unintended open does nothing harmful.
      $('confirm-cancel').focus();
    });
  }

  // ---- sign in -----------------------------------------------------------------------------------------------
  async function connect(apiKey, accountId, { quiet = false } = {}) {
    const form = $('connect-form');
    clearErrors(form);
    let invalid = false;
    if (!apiKey) invalid = fieldError('api-key', 'Enter the API key.') || true;
    if (!GUID.test(accountId)) {
      invalid = fieldError('account-id', accountId ? `'${accountId}' is not an account id: it looks like 6f1c1f0e-2f5b-4a0e-9a53-1d3c1b1f0a11.` : 'Enter the account id.') || true;
    }
    if (invalid) {
      if (!quiet) form.querySelector('[aria-invalid="true"]')?.focus();
      return false;
    }
    session.apiKey = apiKey;
    session.accountId = accountId.toLowerCase();
    const result = await api('settings');
    if (!result.ok) {
      if (result.status === 401) fieldError('api-key', result.body?.detail ?? 'The API key was not accepted.');
      else if (result.status === 403) fieldError('account-id', result.body?.detail ?? 'This API key may not manage this account.');
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

  // ---- Opt Out Settings --------------------------------------------------------------------------------------
  let keywords = [];

  function updateCounter() {
    const message = $('opt-out-message').value.trim(); // the service trims the message before storing it
    const m = measureSms(message);
    const counter = $('opt-out-message-counter');
    counter.textContent = `${plural(m.length, 'character', 'characters')} · ${plural(m.segments, 'segment', 'segments')} · ${m.encoding}`;
    counter.classList.toggle('over', message.length > MAX_MESSAGE_LENGTH || message.length === 0);
  }

  function renderKeywords() {
    const list = $('keywords-list');
    list.replaceChildren(...keywords.map((keyword) => el('li', { class: 'keyword' },
      el('span', {}, keyword),
      keyword === 'STOP'
        ? el('span', { class: 'required-tag' }, '(required)')
        : el('button', {
          type: 'button', class: 'remove', 'aria-label': `Remove keyword ${keyword}`,
          onclick: () => {
            const index = keywords.indexOf(keyword);
            keywords = keywords.filter((k) => k !== keyword);
            renderKeywords();
            // Keep keyboard users in the list: focus the remove button now in that place (or the one before).
            const item = list.children[index] ?? list.children[index - 1];
            (item?.querySelector('button.remove') ?? $('new-keyword')).focus();
          },
        }, '×'))));
  }

  function addKeyword() {
    const input = $('new-keyword');
    const keyword = input.value.trim().replace(/\s+/g, ' ').toUpperCase();
    $('keywords-error').textContent = '';
    if (!keyword) {
      fieldError('keywords', 'Type a keyword first.');
      input.focus();
      return;
    }
    if (keywords.includes(keyword)) {
      fieldError('keywords', `${keyword} is already a keyword.`);
      input.focus();
      return;
    }
    keywords.push(keyword);
    renderKeywords();
    input.value = '';
    input.focus();
  }

  function fillSettings(settings) {
    $('default-country-code').value = settings.defaultCountryCode ?? '';
    $('auto-opt-out').checked = Boolean(settings.autoOptOutEnabled);
    $('opt-out-message').value = settings.optOutMessage ?? '';
    keywords = [...(settings.keywords ?? [])];
    renderKeywords();
    updateCounter();
  }

  $('opt-out-message').addEventListener('input', updateCounter);
  $('add-keyword').addEventListener('click', addKeyword);
  $('new-keyword').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault(); // add the keyword, don't submit the settings
      addKeyword();
    }
  });

  $('settings-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clearErrors(form);
    setStatus('settings-status', 'Saving…');
    const result = await api('settings', {
      method: 'PUT',
      json: {
        defaultCountryCode: $('default-country-code').value.trim(),
        autoOptOutEnabled: $('auto-opt-out').checked,
        optOutMessage: $('opt-out-message').value,
        keywords,
      },
    });
    if (result.ok) {
      fillSettings(result.body);
      setStatus('settings-status', 'Settings saved.');
    } else {
      setStatus('settings-status', '');
      showProblem(form, result, {
        fields: { defaultCountryCode: 'default-country-code', optOutMessage: 'opt-out-message', keywords: 'keywords' },
      });
    }
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
    let result = await api('opt-outs', { method: 'POST', json: { phones: phones.split(/\r?\n/).join(','), note: $('manual-note').value.trim() || null } });
    // 202: the service is busy; the status URL gives the results once it has handled the request.
    const deadline = Date.now() + 120_000;
    while (result.status === 202 && Date.now() < deadline) {
      setStatus('manual-status', 'Queued: waiting for the service…');
      const statusUrl = result.body?.statusUrl ?? `requests/${result.body?.requestId}`;
      await delay(1000);
      result = await api(statusUrl);
    }
    if (result.status === 200) {
      renderManualResults(result.body.results ?? []);
      return;
    }
    setStatus('manual-status', '');
    if (result.status === 202) {
      $('manual-form-error').textContent = 'The service has not answered yet; the request will still be applied. Search for the numbers later.';
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
      } else if (result.status === 404 || result.status === 0 || result.status >= 500) {
        // Not picked up yet, or the service restarted: the upload is on the bus and resumes; keep asking a while.
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

  // ---- Search, Delete Opt Out --------------------------------------------------------------------------------
  function renderOptOut(record) {
    const history = record.history ?? [];
    const rows = [
      ['Number', record.phoneNumber],
      ['State', label(STATES, record.state)],
      ['Source', label(SOURCES, record.source)],
      ['Note', record.note ?? ''],
      ['By', record.actor ?? ''],
      ['Opted out at', formatTime(record.optedOutAt)],
      ['Last change', formatTime(record.updatedAt)],
    ];
    if (record.flagged) rows.push(['Flagged', 'Possible but not a valid number: opted out anyway']);
    const parts = [
      el('dl', { class: 'record', id: 'search-record' }, rows.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', { 'data-field': k.toLowerCase() }, v)))),
      el('div', { class: 'table-wrap', tabindex: '0', 'aria-label': 'History' },
        el('table', { id: 'history-table' },
          el('caption', {}, 'History'),
          el('thead', {}, el('tr', {}, ['When', 'State', 'Source', 'By', 'Note'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, history.map((h) => el('tr', {},
            el('td', {}, formatTime(h.at)), el('td', {}, label(STATES, h.state)), el('td', {}, label(SOURCES, h.source)),
            el('td', {}, h.actor ?? ''), el('td', {}, h.note ?? '')))))),
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
})();
