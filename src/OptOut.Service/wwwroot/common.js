// What every part of the panel shares: SMS measuring, the API call, errors next to their field, downloads and the
// confirmation dialog. Plain JavaScript modules over the admin HTTP API (docs/admin-api.md), no build step.
// Every call sends the API key in the X-Api-Key header; the key lives in this tab's sessionStorage only.

// ---- SMS segments: the same rules as src/OptOut.Core/SmsSegments.cs (3GPP TS 23.038 / 23.040) -------------
// Keep these two strings identical to the C# ones: the browser specs compare both implementations.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

/** Encoding, length in that encoding and segments, like SmsSegments.Measure (UTF-16 code units, as C# chars). */
export function measureSms(text) {
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

export const MAX_MESSAGE_LENGTH = 320;

export const $ = (id) => document.getElementById(id);
export const session = { apiKey: '', accountId: '' };

// ---- small helpers ------------------------------------------------------------------------------------
export const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
export const formatTime = (value) => (value ? new Date(value).toLocaleString() : '');
export const OUTCOMES = {
  OptedOut: 'Opted out', OptedIn: 'Opted in', AlreadyOptedOut: 'Already opted out',
  NotOptedOut: 'Was not opted out', Rejected: 'Rejected', Superseded: 'Superseded by a newer opt-in',
};
export const STATES = { OptedOut: 'Opted out', OptedIn: 'Opted in' };
export const SOURCES = { Keyword: 'Keyword', Manual: 'Manual', Messenger: 'Messenger', BulkUpload: 'Bulk upload', Api: 'API' };
export const label = (map, value) => map[value] ?? value ?? '';
export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function el(tag, attributes = {}, ...children) {
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

export function setStatus(id, text) {
  $(id).textContent = text ?? '';
}

/** Calls the account's API. Resolves to { status, ok, body, response }; body is JSON when the answer is JSON. */
export async function api(path, { method = 'GET', json, form, raw = false } = {}) {
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
export function clearErrors(form) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
}

/** The control of a field: the element with its id or, for a group (a keyword list, the languages), its first enabled input. */
function controlOf(fieldId) {
  return $(fieldId) ?? $(`${fieldId}-error`)?.closest('fieldset')?.querySelector('input:not([disabled]), textarea, select');
}

/** Shows `message` in the field's `<id>-error` element and marks its control invalid; false when it has no such element. */
export function fieldError(fieldId, message) {
  const target = $(`${fieldId}-error`);
  if (!target) return false;
  target.textContent = message;
  controlOf(fieldId)?.setAttribute('aria-invalid', 'true');
  // A field in a closed section (another language's lists) is opened, so its reason can be seen.
  const section = target.closest('details');
  if (section) section.open = true;
  return true;
}

/**
 * Shows a problem details answer ({ title, detail, errors }) in a form: each entry of `errors` next to its field
 * (fields maps the API's names, case-insensitive, to field ids; several names may share a field), anything else next
 * to `fallbackField` or, without one, at the form's level. Focus moves to the first field in error on the page.
 */
export function showProblem(form, result, { fields = {}, fallbackField } = {}) {
  clearErrors(form);
  const problem = result.body ?? {};
  const lowered = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
  const leftover = [];
  const shown = new Map(); // field id -> its reasons
  if (result.status === 401) {
    leftover.push('The API key was not accepted: sign out and sign in again with a valid key.');
  } else if (result.status === 403) {
    leftover.push('This API key may not manage this account.');
  } else if (problem.errors && typeof problem.errors === 'object') {
    for (const [name, messages] of Object.entries(problem.errors)) {
      const text = [].concat(messages).join(' ');
      const fieldId = lowered[name.toLowerCase()] ?? fallbackField;
      if (fieldId && $(`${fieldId}-error`)) shown.set(fieldId, [...(shown.get(fieldId) ?? []), text]);
      else leftover.push(text);
    }
  } else {
    const text = problem.detail || problem.title || `The request failed (${result.status}).`;
    if (fallbackField && $(`${fallbackField}-error`)) shown.set(fallbackField, [text]);
    else leftover.push(text);
  }
  for (const [fieldId, texts] of shown) fieldError(fieldId, texts.join(' '));
  if (leftover.length) {
    const formError = form.querySelector('.form-error');
    const heading = problem.title && !leftover.includes(problem.title) ? `${problem.title}: ` : '';
    if (formError) formError.textContent = heading + leftover.join(' ');
  }
  const controls = [...shown.keys()].map(controlOf).filter(Boolean);
  controls.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  controls[0]?.focus();
}

// ---- downloads: plain links can't send the API key, so fetch and save a blob ------------------------------
export async function download(path, fallbackName) {
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
export function confirmAction({ title, text, confirmLabel, askReason = false }) {
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
