// The options page's vault and sync sections.
//
// Vault: whether it exists and is open, its entries (id, kind, label, when: metadata only,
// the agent never returns a secret), "Add a secret" and Delete, Lock. Setting up and
// unlocking the vault happen in a terminal (`dealstack vault init|unlock`): the native host
// refuses those from a browser, so a passphrase never passes through one. The page shows the
// command with a Copy button and looks again when the shopper comes back to the tab.
//
// The secret field is write-only: its value goes into one vault.set message and the field is
// then replaced by a fresh, empty one (clearing .value would leave it in the field's undo
// history). Nothing else holds it: not a variable that outlives the request, not storage.
//
// Sync: the account's state, server, email, last sync, pending changes, next attempt, the
// last error, and "Sync now"; the service worker's sync.changed broadcast (the agent's
// sync.updated event) redraws it in place.

import type { BrowserVaultKind, ErrorValue, SyncStatus, VaultEntry, VaultStatus } from '../shared/messages';
import { byId, el, replace, uid, type Child } from '../shared/ui/dom';
import { copyText, send, t } from '../shared/ui/runtime';
import { coalesced } from '../shared/ui/coalesce';
import { dateTime, relativeTime } from '../shared/ui/time';
import { BROWSER_KINDS, KIND_PREFIX, entryProblem, isBrowserKind, nameProblem } from '../shared/vault_entry';

export const VAULT_INIT_COMMAND = 'dealstack vault init';
export const VAULT_UNLOCK_COMMAND = 'dealstack vault unlock';
export const SYNC_LOGIN_COMMAND = 'dealstack sync login --server URL --email E';


type Announce = (text: string) => void;
let announce: Announce = () => undefined;

function status(node: HTMLElement, text: string, tone: '' | 'good' | 'bad' | 'warn' = ''): void {
  node.textContent = text;
  node.className = `status small ${tone}`;
}

function timeEl(at: number, id?: string): HTMLElement {
  return el('time', { id, datetime: new Date(at).toISOString(), title: dateTime(at) }, relativeTime(at));
}

/** `text` as one shell word: as is when it's plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A command to run in a terminal, with a Copy button that says whether it worked. */
function commandBox(command: string, id: string): HTMLElement {
  const copy = el('button', { type: 'button', class: 'copy', 'data-action': `copy-${id}`, 'aria-label': t('copy_command_aria', command) }, t('copy'));
  copy.addEventListener('click', () => {
    void copyText(command).then((ok) => {
      copy.textContent = t(ok ? 'copied' : 'copy_failed');
      announce(t(ok ? 'copied' : 'copy_failed'));
      setTimeout(() => { if (copy.isConnected) copy.textContent = t('copy'); }, 3000);
    });
  });
  return el('div', { class: 'command' }, [el('pre', { class: 'fix' }, el('code', { id }, command)), copy]);
}

/** Which element (by its data-action) has the focus inside `root`, to put it back after a
 *  redraw replaced the buttons. */
function focusedAction(root: HTMLElement): string | null {
  const a = document.activeElement as HTMLElement | null;
  return a && root.contains(a) ? a.dataset.action ?? null : null;
}

function refocus(root: HTMLElement, action: string | null): void {
  if (action) root.querySelector<HTMLElement>(`[data-action="${action}"]`)?.focus();
}

function kindName(kind: string): string {
  const key = `vault_kind_${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

function failedText(error: ErrorValue, section: 'vault' | 'sync'): string {
  if (error.code === 'unknown_method') return t(`${section}_agent_too_old`);
  return t(`${section}_failed`, error.message);
}

// ---- vault -----------------------------------------------------------------------------

const vault = {
  status: null as VaultStatus | null,
  entries: [] as VaultEntry[],
  error: null as ErrorValue | null,
  loadedOnce: false,
};

/** The add form, built once and kept across redraws (a reload must not wipe typing). */
let addForm: HTMLFormElement | null = null;

async function fetchVault(): Promise<void> {
  const [st, list] = await Promise.all([send({ type: 'vault.status' }), send({ type: 'vault.list' })]);
  const body = byId('vault-body');
  body.removeAttribute('aria-busy');
  vault.loadedOnce = true;
  if (!st.ok) {
    vault.status = null;
    vault.error = st.error;
  } else {
    vault.status = st.value;
    vault.error = null;
    if (list.ok) vault.entries = list.value.entries;
    else vault.error = list.error;
  }
  drawVault();
}

/** Reloads the vault's status and entries; one request in flight, one queued. */
export const loadVault = coalesced(fetchVault, 150);

function drawVault(): void {
  const body = byId('vault-body');
  if (!body.querySelector('#vault-state')) {
    replace(body, [
      el('div', { id: 'vault-state', class: 'state-line' }),
      el('div', { id: 'vault-notice' }),
      el('h3', { class: 'sub', id: 'vault-entries-h' }, t('vault_entries')),
      el('div', { id: 'vault-entries' }),
      el('h3', { class: 'sub', id: 'vault-add-h' }, t('vault_add_heading')),
      el('div', { id: 'vault-add-area' }),
    ]);
  }
  byId('vault-entries-h').hidden = !vault.status;
  drawVaultState();
  drawVaultNotice();
  drawEntries();
  drawAddArea();
}

function drawVaultState(): void {
  const node = byId('vault-state');
  const s = vault.status;
  const keep = focusedAction(node);
  if (!s) { replace(node, []); return; }
  const pill = !s.initialized
    ? el('span', { class: 'pill', id: 'vault-pill' }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t('vault_state_uninitialized')])
    : s.locked
      ? el('span', { class: 'pill warn', id: 'vault-pill' }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t('vault_state_locked')])
      : el('span', { class: 'pill good', id: 'vault-pill' }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t('vault_state_unlocked')]);
  const facts: Child[] = [];
  if (s.initialized) {
    facts.push(el('span', { id: 'vault-protection' }, t(s.protection === 'keyring' ? 'vault_protection_keyring' : 'vault_protection_passphrase')));
    facts.push(el('span', { id: 'vault-autolock' }, s.auto_lock_minutes > 0 ? t('vault_auto_lock', String(s.auto_lock_minutes)) : t('vault_auto_lock_never')));
  }
  facts.push(el('span', { id: 'vault-count' }, t(s.entries === 1 ? 'vault_entries_one' : 'vault_entries_n', String(s.entries))));
  let lock: HTMLButtonElement | null = null;
  if (s.initialized && !s.locked) {
    lock = el('button', { type: 'button', id: 'vault-lock', 'data-action': 'lock' }, t('vault_lock'));
    const b = lock;
    b.addEventListener('click', () => {
      b.disabled = true;
      void send({ type: 'vault.lock' }).then((r) => {
        if (!r.ok) { b.disabled = false; announce(t('vault_failed', r.error.message)); return; }
        announce(t('vault_locked_done'));
        void loadVault({ now: true });
      });
    });
  }
  replace(node, [pill, el('span', { class: 'facts muted small' }, facts.flatMap((f, i) => (i ? [' · ', f] : [f]))), lock]);
  refocus(node, keep);
}

function drawVaultNotice(): void {
  const node = byId('vault-notice');
  const s = vault.status;
  const keep = focusedAction(node);
  const again = (): HTMLButtonElement => {
    const b = el('button', { type: 'button', 'data-action': 'vault-again' }, t('check_again'));
    b.addEventListener('click', () => { b.disabled = true; void loadVault({ now: true }); });
    return b;
  };
  if (vault.error) {
    replace(node, el('div', { class: 'notice bad', role: 'alert', id: 'vault-error' }, [
      el('p', {}, failedText(vault.error, 'vault')),
      el('div', { class: 'actions' }, again()),
    ]));
  } else if (s && !s.initialized) {
    replace(node, el('div', { class: 'notice cli', id: 'vault-cli' }, [
      el('p', {}, t('vault_init_intro')),
      commandBox(VAULT_INIT_COMMAND, 'vault-command'),
      el('p', { class: 'muted small' }, t('vault_init_help')),
      el('div', { class: 'actions' }, again()),
    ]));
  } else if (s && s.locked) {
    replace(node, el('div', { class: 'notice warn cli', id: 'vault-cli' }, [
      el('p', {}, t('vault_unlock_intro')),
      commandBox(VAULT_UNLOCK_COMMAND, 'vault-command'),
      el('p', { class: 'small' }, t('vault_unlock_help')),
      el('div', { class: 'actions' }, again()),
    ]));
  } else {
    replace(node, []);
  }
  refocus(node, keep);
}

function drawEntries(): void {
  const node = byId('vault-entries');
  const keep = focusedAction(node);
  const list = [...vault.entries].sort((a, b) => a.id.localeCompare(b.id));
  if (!vault.status) { replace(node, []); return; }
  if (!list.length) {
    replace(node, el('p', { class: 'muted small empty', id: 'vault-empty' }, t('vault_none')));
    return;
  }
  const table = el('table', { class: 'entries', id: 'vault-table' }, [
    el('caption', { class: 'visually-hidden' }, t('vault_entries')),
    el('thead', {}, el('tr', {}, [
      el('th', { scope: 'col' }, t('vault_col_label')),
      el('th', { scope: 'col' }, t('vault_col_id')),
      el('th', { scope: 'col' }, t('vault_col_kind')),
      el('th', { scope: 'col' }, t('vault_col_updated')),
      el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, t('vault_col_actions'))),
    ])),
    el('tbody', {}, list.map(entryRow)),
  ]);
  replace(node, table);
  refocus(node, keep);
}

function entryRow(e: VaultEntry): HTMLElement {
  const name = e.label || e.id;
  let action: Child;
  if (isBrowserKind(e.kind)) {
    const del = el('button', { type: 'button', class: 'danger', 'data-action': `delete:${e.id}`, 'aria-label': t('vault_delete_aria', name) }, t('vault_delete'));
    del.addEventListener('click', () => deleteEntry(e, del));
    action = del;
  } else {
    // The sync account's token and key belong to `dealstack sync login` and `logout`.
    action = el('span', { class: 'muted small' }, t('vault_managed_by_sync'));
  }
  return el('tr', { 'data-entry-id': e.id }, [
    el('th', { scope: 'row', class: 'entry-label' }, name),
    el('td', {}, el('code', { class: 'entry-id' }, e.id)),
    el('td', {}, kindName(e.kind)),
    el('td', { class: 'small' }, e.updated_at ? timeEl(e.updated_at) : '—'),
    el('td', { class: 'entry-actions' }, action),
  ]);
}

function deleteEntry(e: VaultEntry, button: HTMLButtonElement): void {
  const name = e.label || e.id;
  // Two steps, no modal dialog (like a watch's Remove): the first press asks, a second one
  // within 5 s deletes.
  if (button.dataset.confirm !== 'yes') {
    button.dataset.confirm = 'yes';
    button.textContent = t('vault_delete_confirm');
    button.setAttribute('aria-label', t('vault_delete_confirm_aria', name));
    announce(t('vault_delete_confirm_aria', name));
    setTimeout(() => {
      if (!button.isConnected) return;
      button.dataset.confirm = '';
      button.textContent = t('vault_delete');
      button.setAttribute('aria-label', t('vault_delete_aria', name));
    }, 5000);
    return;
  }
  button.disabled = true;
  void send({ type: 'vault.delete', id: e.id }).then((r) => {
    if (!r.ok) {
      button.disabled = false;
      announce(t('vault_delete_failed', r.error.message));
      status(byId('vault-add-status'), t('vault_delete_failed', r.error.message), 'bad');
      return;
    }
    // Focus moves to the next row's Delete (or the previous one's, or the heading) instead of
    // falling to the top of the page.
    const row = button.closest('tr');
    const neighbour = (row?.nextElementSibling ?? row?.previousElementSibling) as HTMLElement | null;
    vault.entries = vault.entries.filter((x) => x.id !== e.id);
    if (vault.status) vault.status = { ...vault.status, entries: Math.max(0, vault.status.entries - 1) };
    drawVaultState();
    drawEntries();
    const target = neighbour?.dataset.entryId
      ? document.querySelector<HTMLElement>(`#vault-table [data-action="delete:${CSS.escape(neighbour.dataset.entryId)}"]`)
      : null;
    (target ?? focusable('vault-entries-h')).focus();
    announce(t('vault_deleted', name));
  });
}

function focusable(id: string): HTMLElement {
  const h = byId(id);
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  return h;
}

function drawAddArea(): void {
  const area = byId('vault-add-area');
  const s = vault.status;
  const open = !!s && s.initialized && !s.locked;
  if (!addForm) addForm = buildAddForm();
  if (!area.contains(addForm)) replace(area, [el('p', { class: 'muted small', id: 'vault-add-closed' }), addForm]);
  const closed = area.querySelector<HTMLElement>('#vault-add-closed')!;
  addForm.hidden = !open;
  closed.hidden = open;
  closed.textContent = !s ? '' : !s.initialized ? t('vault_add_needs_init') : t('vault_add_needs_unlock');
  byId('vault-add-h').hidden = !s;
}

/** The secret's field for `kind`: a password input, or for a shop session a textarea for
 *  its JSON. A new element each time (see the file's header). */
function secretField(kind: BrowserVaultKind, id: string, describedBy: string): HTMLInputElement | HTMLTextAreaElement {
  const common = { id, name: 'secret', 'data-k': 'secret', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': describedBy, required: true };
  if (kind === 'shop_session') {
    // autocomplete off and no spellcheck: neither the form filler nor a spelling service gets
    // to see the cookies.
    return el('textarea', { ...common, rows: 5, autocapitalize: 'off', autocorrect: 'off', placeholder: '{"cookies": {"session": "…"}, "headers": {"X-Member": "…"}}' });
  }
  // new-password: the browser's password manager doesn't offer to save or fill it.
  return el('input', { ...common, type: 'password', autocomplete: 'new-password' });
}

function buildAddForm(): HTMLFormElement {
  const ids = { kind: uid('vk'), name: uid('vn'), label: uid('vl'), secret: uid('vs'), nameHelp: uid('vnh'), secretHelp: uid('vsh') };
  const statusNode = el('p', { class: 'status small', role: 'status', id: 'vault-add-status' });
  const kind = el('select', { id: ids.kind, 'data-k': 'kind' }, BROWSER_KINDS.map((k) => el('option', { value: k }, t(`vault_add_kind_${k}`))));
  const prefix = el('span', { class: 'prefix', 'aria-hidden': 'true' });
  const nameLabel = el('label', { for: ids.name });
  const nameHelp = el('p', { class: 'muted small', id: ids.nameHelp });
  const name = el('input', { id: ids.name, 'data-k': 'name', type: 'text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', 'aria-describedby': ids.nameHelp, required: true });
  const label = el('input', { id: ids.label, 'data-k': 'label', type: 'text', autocomplete: 'off', maxlength: 200 });
  const secretLabel = el('label', { for: ids.secret });
  const secretHelp = el('p', { class: 'muted small', id: ids.secretHelp });
  const secretSlot = el('div', { class: 'secret-slot' });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'vault-save' }, t('vault_save'));
  /** Replace-confirmation: the id the shopper was warned about, until they press Save again. */
  let confirmReplace: string | null = null;

  const currentKind = (): BrowserVaultKind => (isBrowserKind(kind.value) ? kind.value : 'shop_session');
  const secretInput = (): HTMLInputElement | HTMLTextAreaElement => secretSlot.querySelector<HTMLInputElement | HTMLTextAreaElement>('[data-k="secret"]')!;
  /** A new, empty secret field in place of the old one (which may hold a secret). */
  const freshSecret = (): void => {
    const hadFocus = secretSlot.contains(document.activeElement);
    replace(secretSlot, secretField(currentKind(), ids.secret, ids.secretHelp));
    if (hadFocus) secretInput().focus();
  };
  const applyKind = (): void => {
    const k = currentKind();
    prefix.textContent = KIND_PREFIX[k];
    nameLabel.replaceChildren(t(`vault_add_name_${k}`), ' ', el('span', { class: 'visually-hidden' }, t('vault_add_prefix_aria', KIND_PREFIX[k])));
    nameHelp.textContent = t(`vault_add_name_help_${k}`);
    name.placeholder = k === 'shop_session' ? 'shop.example' : 'ntfy';
    secretLabel.textContent = t(`vault_add_secret_${k}`);
    secretHelp.textContent = t(`vault_add_secret_help_${k}`);
    freshSecret();
  };

  const clearInvalid = (): void => {
    for (const f of form.querySelectorAll<HTMLElement>('[aria-invalid]')) {
      f.removeAttribute('aria-invalid');
      const rest = (f.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((x) => x && x !== statusNode.id);
      f.setAttribute('aria-describedby', rest.join(' '));
    }
  };
  const invalid = (field: HTMLElement, text: string): void => {
    status(statusNode, text, 'bad');
    field.setAttribute('aria-invalid', 'true');
    const d = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    field.setAttribute('aria-describedby', [...d, statusNode.id].join(' '));
    field.focus();
  };

  const save = async (ev: Event): Promise<void> => {
    ev.preventDefault();
    clearInvalid();
    const k = currentKind();
    const hostOrChannel = name.value.trim().toLowerCase();
    const id = KIND_PREFIX[k] + hostOrChannel;
    const problemName = nameProblem(k, hostOrChannel);
    if (problemName) { invalid(name, t(problemName)); return; }
    const secretNode = secretInput();
    // Checked here so the shopper can correct it; nothing has been sent yet, so the field
    // keeps what they typed.
    const problem = entryProblem({ id, kind: k, label: label.value.trim(), secret: secretNode.value });
    if (problem) { invalid(problem.startsWith('vault_session') || problem.startsWith('vault_empty') || problem.startsWith('vault_secret') ? secretNode : label, t(problem)); return; }
    if (vault.entries.some((e) => e.id === id) && confirmReplace !== id) {
      confirmReplace = id;
      status(statusNode, t('vault_replace_confirm', id), 'warn');
      submit.focus();
      return;
    }
    confirmReplace = null;
    submit.disabled = true;
    status(statusNode, t('saving'));
    // The secret is read into the message and nowhere else; the field is emptied whatever the
    // answer (retyping after a failure is the price of not keeping it).
    const pending = send({ type: 'vault.set', id, kind: k, label: label.value.trim() || hostOrChannel, secret: secretNode.value });
    freshSecret();
    const r = await pending;
    submit.disabled = false;
    if (!r.ok) { status(statusNode, t('vault_save_failed', r.error.message), 'bad'); announce(t('vault_save_failed', r.error.message)); return; }
    const entry = r.value.entry;
    vault.entries = [...vault.entries.filter((e) => e.id !== entry.id), entry];
    if (vault.status) vault.status = { ...vault.status, entries: vault.entries.length };
    name.value = '';
    label.value = '';
    drawVaultState();
    drawEntries();
    status(statusNode, t('vault_saved', entry.label || entry.id), 'good');
    announce(t('vault_saved', entry.label || entry.id));
  };

  kind.addEventListener('change', () => { confirmReplace = null; applyKind(); });
  name.addEventListener('input', () => { confirmReplace = null; });
  const form = el('form', { class: 'vault-form', id: 'vault-add', novalidate: true, autocomplete: 'off', onsubmit: (e: Event) => void save(e) }, [
    el('div', { class: 'field' }, [el('label', { for: ids.kind }, t('vault_add_kind')), kind]),
    el('div', { class: 'field' }, [nameLabel, el('div', { class: 'affix' }, [prefix, name]), nameHelp]),
    el('div', { class: 'field' }, [el('label', { for: ids.label }, t('vault_add_label')), label]),
    el('div', { class: 'field wide' }, [secretLabel, secretSlot, secretHelp]),
    el('div', { class: 'actions wide' }, [submit, statusNode]),
  ]);
  applyKind();
  return form;
}

// ---- sync ------------------------------------------------------------------------------

let sync: SyncStatus | null = null;
let syncError: ErrorValue | null = null;
let syncing = false;

async function fetchSync(): Promise<void> {
  const r = await send({ type: 'sync.status' });
  byId('sync-body').removeAttribute('aria-busy');
  if (r.ok) { sync = r.value; syncError = null; } else { syncError = r.error; }
  drawSync();
}

export const loadSync = coalesced(fetchSync, 150);

const SYNC_TONE: Record<SyncStatus['state'], string> = {
  off: '', idle: 'good', syncing: '', backing_off: 'warn', error: 'bad', vault_locked: 'warn',
};

/** The command that logs in again, with the account's server and email filled in. */
function loginCommand(s: SyncStatus): string {
  if (!s.server || !s.email) return SYNC_LOGIN_COMMAND;
  return `dealstack sync login --server ${shellWord(s.server)} --email ${shellWord(s.email)}`;
}

function drawSync(note?: { text: string; tone: '' | 'good' | 'bad' | 'warn' }): void {
  const body = byId('sync-body');
  const keep = focusedAction(body);
  const oldNote = body.querySelector<HTMLElement>('#sync-now-status');
  const statusNode = el('p', { class: 'status small', role: 'status', id: 'sync-now-status' });
  if (note) status(statusNode, note.text, note.tone);
  else if (oldNote?.textContent) status(statusNode, oldNote.textContent, (oldNote.className.match(/\b(good|bad|warn)\b/)?.[1] ?? '') as '' | 'good' | 'bad' | 'warn');
  const s = sync;
  if (!s) {
    replace(body, syncError ? el('div', { class: 'notice bad', role: 'alert', id: 'sync-error' }, [
      el('p', {}, failedText(syncError, 'sync')),
      el('div', { class: 'actions' }, el('button', { type: 'button', 'data-action': 'sync-again', onclick: () => void loadSync({ now: true }) }, t('retry'))),
    ]) : el('p', { class: 'muted' }, t('loading')));
    refocus(body, keep);
    return;
  }
  const pill = el('span', { class: `pill ${SYNC_TONE[s.state]}`, id: 'sync-pill' }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(`sync_state_${s.state}`)]);
  const now = el('button', { type: 'button', id: 'sync-now', 'data-action': 'sync-now', class: 'primary' }, t(syncing || s.state === 'syncing' ? 'sync_now_running' : 'sync_now'));
  now.disabled = syncing || s.state === 'syncing' || s.state === 'off';
  now.addEventListener('click', () => void syncNowClicked());

  /** [label, value, id, wide]: the server and the account get two columns, so an email is
   *  not broken at its hyphens. */
  const facts: [string, Child, string, boolean?][] = [];
  if (s.state !== 'off' || s.server) {
    facts.push([t('sync_server'), s.server ? el('code', {}, s.server) : '—', 'sync-server', true]);
    facts.push([t('sync_email'), s.email ?? '—', 'sync-email', true]);
    facts.push([t('sync_last'), s.last_sync_at !== null ? timeEl(s.last_sync_at) : t('sync_never'), 'sync-last']);
    if (s.next_attempt_at !== null && s.state !== 'idle') facts.push([t('sync_next'), timeEl(s.next_attempt_at), 'sync-next']);
    facts.push([t('sync_pending'), s.pending === 0 ? t('sync_pending_none') : String(s.pending), 'sync-pending']);
    facts.push([t('sync_records'), String(s.records), 'sync-records']);
    facts.push([t('sync_offers'), s.offers_synced_at !== null ? timeEl(s.offers_synced_at) : t('sync_never'), 'sync-offers']);
    facts.push([t('sync_rules'), String(s.rules), 'sync-rules']);
  }

  let notice: Child = null;
  if (s.state === 'off') {
    notice = el('div', { class: 'notice cli', id: 'sync-cli' }, [
      el('p', {}, t('sync_off_intro')),
      commandBox(SYNC_LOGIN_COMMAND, 'sync-command'),
      el('p', { class: 'muted small' }, t('sync_off_help')),
    ]);
  } else if (s.state === 'vault_locked') {
    notice = el('div', { class: 'notice warn cli', id: 'sync-cli' }, [
      el('p', {}, t('sync_vault_locked_intro')),
      commandBox(VAULT_UNLOCK_COMMAND, 'sync-command'),
    ]);
  } else if (s.last_error && (s.state === 'error' || s.state === 'backing_off')) {
    // The agent's "error" state always ends with a new `dealstack sync login` (a token the
    // server refused: token_expired, token_revoked, unauthorized; or none in the vault any
    // more), whatever the code; backing_off retries by itself (docs/sync.md, "States").
    const login = s.state === 'error';
    notice = el('div', { class: `notice ${s.state === 'error' ? 'bad' : 'warn'}`, id: 'sync-last-error' }, [
      el('p', {}, [el('strong', {}, t(login ? 'sync_error_login' : 'sync_error_title')), ' ', el('span', { id: 'sync-error-message' }, s.last_error.message), ' ', el('code', { class: 'small', id: 'sync-error-code' }, s.last_error.code)]),
      login && commandBox(loginCommand(s), 'sync-command'),
    ]);
  }

  replace(body, [
    el('div', { class: 'state-line' }, [pill, el('span', { class: 'actions' }, [s.state !== 'off' && now])]),
    facts.length ? el('dl', { class: 'facts-grid', id: 'sync-facts' }, facts.map(([k, v, id, wide]) => el('div', { class: wide ? 'wide' : undefined }, [el('dt', {}, k), el('dd', { id }, v)]))) : null,
    notice,
    statusNode,
  ]);
  refocus(body, keep);
}

async function syncNowClicked(): Promise<void> {
  syncing = true;
  drawSync({ text: t('sync_now_running'), tone: '' });
  announce(t('sync_now_running'));
  const r = await send({ type: 'sync.now' });
  syncing = false;
  if (!r.ok) {
    drawSync({ text: t('sync_now_failed', r.error.message), tone: 'bad' });
    announce(t('sync_now_failed', r.error.message));
    return;
  }
  sync = r.value;
  syncError = null;
  const state = r.value.state;
  // A round that couldn't run is not an error reply (the state says why): say what to do.
  const text = state === 'idle' ? t('sync_now_done')
    : state === 'vault_locked' || state === 'backing_off' || state === 'error' ? t(`sync_now_ended_${state}`)
      : t('sync_now_ended', t(`sync_state_${state}`));
  drawSync({ text, tone: state === 'idle' ? 'good' : state === 'error' ? 'bad' : 'warn' });
  announce(text);
}

/** The sync.changed broadcast: the agent's state moved. */
export function onSyncChanged(s: SyncStatus): void {
  const before = sync?.state;
  sync = s;
  syncError = null;
  drawSync();
  if (before !== undefined && before !== s.state) {
    announce(t('sync_state_now', t(`sync_state_${s.state}`)));
    // Into or out of vault_locked: the vault itself locked or opened (auto-lock, the CLI).
    if (before === 'vault_locked' || s.state === 'vault_locked') void loadVault();
  }
}

/** Reloads whichever of the two sections failed to load (the host has just connected). */
export function reloadFailed(): void {
  if (vault.error) void loadVault();
  if (syncError && !sync) void loadSync();
}

/** Redraws the relative times ("2 minutes ago") without asking the agent. */
function tick(): void {
  if (sync) drawSync();
  // Not while a Delete waits for its second press (a redraw would reset it).
  if (vault.status && vault.entries.length && !document.querySelector('#vault-table [data-confirm="yes"]')) drawEntries();
}

export function startAccount(announcer: Announce): Promise<void> {
  announce = announcer;
  setInterval(tick, 30_000);
  // Back from the terminal (`dealstack vault unlock`, `sync login`): look again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') { void loadVault(); void loadSync(); }
  });
  return Promise.all([loadVault({ now: true }), loadSync({ now: true })]).then(() => undefined);
}
