// Opt Out Settings: the default country code, automatic opt-outs, the languages (which are active, and each one's
// opt-out, opt-in and help keywords and reply messages) and the detection of other ways of saying stop. The languages
// come from the service (GET settings), so a language it ships later appears here without a change to the panel.
import { $, api, el, fieldError, MAX_MESSAGE_LENGTH, measureSms, plural, setStatus, showProblem, clearErrors } from './common.js';

const ENGLISH = 'en';

// The three kinds of keyword, each with its reply. English's keyword of each kind can't be removed: they are the
// carriers' own (CTIA), and the service refuses an update without them too.
const KINDS = [
  {
    kind: 'optOut', slug: 'opt-out', title: 'Opt-out', required: 'STOP',
    hint: 'Sent once to a contact who opts out from a conversation; 1–320 characters.',
  },
  {
    kind: 'optIn', slug: 'opt-in', title: 'Opt-in', required: 'START',
    hint: 'Sent to a contact who texts an opt-in keyword and is subscribed again; 1–320 characters.',
  },
  {
    kind: 'help', slug: 'help', title: 'Help', required: 'HELP',
    hint: 'Sent to a contact who texts a help keyword (at most once per number every 10 minutes): who is texting and how to opt out; 1–320 characters.',
  },
];

// English's opt-out list and message are the original settings (`keywords` and `optOutMessage` in the API) and keep
// their element ids; every other list and message is named by its language and kind.
const isOriginal = (code, kind) => code === ENGLISH && kind.kind === 'optOut';
const keywordsId = (code, kind) => (isOriginal(code, kind) ? 'keywords' : `lang-${code}-${kind.slug}-keywords`);
const messageId = (code, kind) => (isOriginal(code, kind) ? 'opt-out-message' : `lang-${code}-${kind.slug}-message`);

/** code -> { name, keywords: { optOut, optIn, help } (their editors) }, in the service's order. */
const languages = new Map();

/** The name of a language code ("es" → "Spanish"), once the settings are loaded. */
export const languageName = (code) => languages.get(code)?.name ?? code ?? '';

/** The counter under a message: characters, SMS segments and encoding, counted as the service counts them. */
function updateCounter(id) {
  const message = $(id).value.trim(); // the service trims a message before storing it
  const m = measureSms(message);
  const counter = $(`${id}-counter`);
  counter.textContent = `${plural(m.length, 'character', 'characters')} · ${plural(m.segments, 'segment', 'segments')} · ${m.encoding}`;
  counter.classList.toggle('over', message.length > MAX_MESSAGE_LENGTH || message.length === 0);
}

/**
 * The editor of one keyword list: `<id>-list`, the input `<id>-new` and its button `<id>-add` (Enter adds too), reasons in
 * `<id>-error`. Keywords are shown as the service stores them (upper case, inner spaces collapsed); `required` has no
 * remove button. `name` says which list it is to a screen reader ("Spanish opt-in").
 */
function keywordEditor(id, { name, required }) {
  let keywords = [];
  const list = $(`${id}-list`);
  const input = $(`${id}-new`);

  function render() {
    list.replaceChildren(...keywords.map((keyword) => el('li', { class: 'keyword' },
      el('span', {}, keyword),
      keyword === required
        ? el('span', { class: 'required-tag' }, '(required)')
        : el('button', {
          type: 'button', class: 'remove', 'aria-label': `Remove ${name} keyword ${keyword}`,
          onclick: () => {
            const index = keywords.indexOf(keyword);
            keywords = keywords.filter((k) => k !== keyword);
            render();
            // Keep keyboard users in the list: focus the remove button now in that place (or the one before).
            const item = list.children[index] ?? list.children[index - 1];
            (item?.querySelector('button.remove') ?? input).focus();
          },
        }, '×'))));
  }

  function add() {
    const keyword = input.value.trim().replace(/\s+/g, ' ').toUpperCase();
    $(`${id}-error`).textContent = '';
    if (!keyword) {
      fieldError(id, 'Type a keyword first.');
    } else if (keywords.includes(keyword)) {
      fieldError(id, `${keyword} is already a keyword.`);
    } else {
      keywords.push(keyword);
      render();
      input.value = '';
    }
    input.focus();
  }

  $(`${id}-add`).addEventListener('click', add);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault(); // add the keyword, don't submit the settings
      add();
    }
  });
  return { get: () => [...keywords], set: (values) => { keywords = [...(values ?? [])]; render(); } };
}

// A label whose language is there for screen readers and voice control only: inside a language's section "Opt-in
// keywords" is enough to see, but each list and message needs a name of its own ("Spanish opt-in keywords").
const named = (language, visible) => [el('span', { class: 'visually-hidden' }, `${language} `), visible];

function keywordsField(code, name, kind) {
  const id = keywordsId(code, kind);
  const required = code === ENGLISH ? kind.required : null;
  const what = `${name} ${kind.title.toLowerCase()}`;
  return el('fieldset', { class: 'field', 'aria-describedby': `${id}-error` },
    el('legend', {}, named(name, `${kind.title} keywords`)),
    el('ul', { class: 'keywords', id: `${id}-list`, 'aria-label': `${what} keywords` }),
    el('div', { class: 'inline' },
      el('label', { for: `${id}-new`, class: 'visually-hidden' }, `New ${what} keyword`),
      el('input', { id: `${id}-new`, type: 'text', autocomplete: 'off', placeholder: 'New keyword', 'aria-describedby': `${id}-error` }),
      el('button', { type: 'button', id: `${id}-add` }, 'Add', el('span', { class: 'visually-hidden' }, ` ${what}`), ' keyword')),
    required ? el('p', { class: 'hint' }, `${required} is always a keyword and can't be removed.`) : null,
    el('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' }));
}

function messageField(code, name, kind) {
  const id = messageId(code, kind);
  return el('div', { class: 'field' },
    el('label', { for: id }, named(name, `${kind.title} message`)),
    el('textarea', { id, rows: '3', 'aria-describedby': `${id}-counter ${id}-hint ${id}-error`, oninput: () => updateCounter(id) }),
    el('p', { class: 'counter', id: `${id}-counter`, 'aria-live': 'polite' }),
    el('p', { class: 'hint', id: `${id}-hint` }, kind.hint),
    el('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' }));
}

function showActive(code) {
  $(`language-${code}-state`).textContent = $(`language-${code}-active`).checked ? 'active' : 'not active';
}

/** Adds a language's checkbox and its section (English's open, the others closed) with their editors. */
function addLanguage({ language: code, name }) {
  const active = `language-${code}-active`;
  $('active-languages-choices').append(el('div', { class: 'checkbox-field' },
    el('input', { id: active, type: 'checkbox', value: code, disabled: code === ENGLISH, onchange: () => showActive(code) }),
    el('label', { for: active }, name)));
  $('languages').append(el('details', { class: 'language', id: `language-${code}`, open: code === ENGLISH },
    el('summary', {}, name, ' ', el('span', { class: 'language-state', id: `language-${code}-state` })),
    KINDS.flatMap((kind) => [keywordsField(code, name, kind), messageField(code, name, kind)])));
  const keywords = Object.fromEntries(KINDS.map((kind) => [kind.kind, keywordEditor(keywordsId(code, kind), {
    name: `${name} ${kind.title.toLowerCase()}`,
    required: code === ENGLISH ? kind.required : null,
  })]));
  languages.set(code, { name, keywords });
}

/** Shows settings as the API answers them (GET settings, or a successful PUT). */
export function fillSettings(settings) {
  $('default-country-code').value = settings.defaultCountryCode ?? '';
  $('auto-opt-out').checked = Boolean(settings.autoOptOutEnabled);
  $('contact-opt-in-overrides-admin').checked = Boolean(settings.contactOptInOverridesAdmin);
  $('detection-enabled').checked = Boolean(settings.detectionEnabled);
  $('possible-revocation-threshold').value = settings.possibleRevocationThreshold ?? '';
  for (const language of settings.languages ?? []) {
    const code = language.language;
    if (!languages.has(code)) addLanguage(language);
    $(`language-${code}-active`).checked = Boolean(language.active);
    showActive(code);
    for (const kind of KINDS) {
      languages.get(code).keywords[kind.kind].set(language[`${kind.kind}Keywords`]);
      $(messageId(code, kind)).value = language[`${kind.kind}Message`] ?? '';
      updateCounter(messageId(code, kind));
    }
  }
}

/** The PUT body: every field in full. English's opt-out list and message go in the original fields only (the service refuses two that differ). */
function settingsBody(threshold) {
  const codes = [...languages.keys()];
  return {
    defaultCountryCode: $('default-country-code').value.trim(),
    autoOptOutEnabled: $('auto-opt-out').checked,
    optOutMessage: $('opt-out-message').value,
    keywords: languages.get(ENGLISH).keywords.optOut.get(),
    activeLanguages: codes.filter((code) => $(`language-${code}-active`).checked),
    languages: codes.map((code) => Object.fromEntries([['language', code],
      ...KINDS.filter((kind) => !isOriginal(code, kind)).flatMap((kind) => [
        [`${kind.kind}Keywords`, languages.get(code).keywords[kind.kind].get()],
        [`${kind.kind}Message`, $(messageId(code, kind)).value],
      ])])),
    detectionEnabled: $('detection-enabled').checked,
    possibleRevocationThreshold: threshold,
    contactOptInOverridesAdmin: $('contact-opt-in-overrides-admin').checked,
  };
}

/** The API's field names (UpdateOptOutSettings: `languages[es].optInKeywords`) → the ids of the fields they are about. */
function errorFields() {
  const fields = {
    defaultCountryCode: 'default-country-code', activeLanguages: 'active-languages', languages: 'active-languages',
    possibleRevocationThreshold: 'possible-revocation-threshold', keywords: 'keywords', optOutMessage: 'opt-out-message',
  };
  for (const code of languages.keys()) {
    for (const kind of KINDS) {
      fields[`languages[${code}].${kind.kind}Keywords`] = keywordsId(code, kind);
      fields[`languages[${code}].${kind.kind}Message`] = messageId(code, kind);
    }
  }
  return fields;
}

$('settings-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  // An empty or unreadable number would be sent as "keep the current one": say so instead. The range is the service's to check.
  const thresholdInput = $('possible-revocation-threshold');
  const threshold = Number(thresholdInput.value);
  if (thresholdInput.value.trim() === '' || thresholdInput.validity.badInput || !Number.isFinite(threshold)) {
    fieldError('possible-revocation-threshold', 'Enter a number from 0.1 to 0.75, such as 0.5.');
    thresholdInput.focus();
    return;
  }
  setStatus('settings-status', 'Saving…');
  const result = await api('settings', { method: 'PUT', json: settingsBody(threshold) });
  if (result.status === 202) {
    // Queued: the service applies the change once it can; the form keeps what was typed.
    setStatus('settings-status', 'The service could not save the settings now; the change is queued and will still be applied. Reload later to see it.');
  } else if (result.ok) {
    fillSettings(result.body);
    setStatus('settings-status', 'Settings saved.');
  } else {
    setStatus('settings-status', '');
    showProblem(form, result, { fields: errorFields() });
  }
});
