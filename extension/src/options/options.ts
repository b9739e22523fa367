// The options page: the watchlist (edit, pause, check now, remove), the wallet the stacker
// counts rewards with, the per-site panel and notification settings, and the place the vault
// and sync account (./account.ts). Every change goes to the service worker at once (watch.*,
// wallet.set, settings.set, vault.*, sync.now) and its answer is what the page then shows.

import type { HostStatus, Settings, Wallet, Watch } from '../shared/messages';
import { byId, el, replace, uid, type Child } from '../shared/ui/dom';
import {
  basisPointsToPercent, currencyDigits, formatMoney, parseMoneyInput, parsePercentInput,
  percentToBasisPoints,
} from '../shared/ui/money';
import { localizePage, onBroadcast, send, t } from '../shared/ui/runtime';
import { coalesced } from '../shared/ui/coalesce';
import { dateTime, relativeTime } from '../shared/ui/time';
import { loadSync, loadVault, onSyncChanged, reloadFailed, startAccount } from './account';

function announce(text: string): void {
  const live = byId('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

function status(node: HTMLElement, text: string, tone: '' | 'good' | 'bad' = ''): void {
  node.textContent = text;
  node.className = `status small ${tone}`;
}

function loaded(body: HTMLElement): void {
  body.removeAttribute('aria-busy');
}

function errorNotice(text: string, retry?: () => void): HTMLElement {
  return el('div', { class: 'notice bad', role: 'alert' }, [
    el('p', {}, text),
    retry && el('button', { type: 'button', onclick: retry }, t('retry')),
  ]);
}

// ---- host pill -------------------------------------------------------------------------

function renderHostPill(host: HostStatus): void {
  const pill = byId('host-pill');
  const ok = host.state === 'connected';
  pill.className = `pill ${ok ? 'good' : host.state === 'connecting' ? '' : 'bad'}`;
  pill.title = host.fix ? `${host.message ?? ''}\n${host.fix}` : host.message ?? '';
  replace(pill, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(ok ? 'host_pill_connected' : host.state === 'connecting' ? 'host_pill_connecting' : 'host_pill_offline')]);
}

// ---- watchlist -------------------------------------------------------------------------

interface Row {
  node: HTMLElement;
  watch: Watch;
  editing: boolean;
  /** The row's last status line (a check's result, an error); kept across redraws, which
   *  every watch.changed about this watch causes. */
  note: { text: string; tone: '' | 'good' | 'bad' } | null;
}

const rows = new Map<number, Row>();

/** Shows `text` in the row's status line, now and after later redraws. */
function noteRow(id: number, text: string, tone: '' | 'good' | 'bad' = ''): void {
  const row = rows.get(id);
  if (!row) return;
  row.note = { text, tone };
  const node = row.node.querySelector<HTMLElement>('.status');
  if (node) status(node, text, tone);
}

function watchRules(w: Watch): string[] {
  const parts: string[] = [];
  if (w.target_price !== null) parts.push(t('watch_summary_target', formatMoney(w.target_price, w.currency)));
  if (w.drop_bp !== null) parts.push(t('watch_summary_drop', basisPointsToPercent(w.drop_bp)));
  if (w.notify_restock) parts.push(t('watch_summary_restock'));
  if (!parts.length) parts.push(t('watch_summary_any'));
  return parts;
}

function drawRow(id: number): void {
  const row = rows.get(id);
  if (!row) return;
  const w = row.watch;
  const title = w.title ?? w.url;
  const checkStatus = el('p', { class: 'status small', role: 'status' });
  if (row.note) status(checkStatus, row.note.text, row.note.tone);
  // A redraw replaces the row's buttons: put the keyboard focus back on the same action.
  const focused = row.node.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.action ?? null : null;
  const paused = w.state === 'paused';

  const setState = async (button: HTMLButtonElement): Promise<void> => {
    button.disabled = true;
    const reply = await send({ type: 'watch.update', params: { id: w.id, state: paused ? 'active' : 'paused' } });
    if (!reply.ok) { button.disabled = false; noteRow(id, t('watch_failed', reply.error.message), 'bad'); return; }
    row.watch = reply.value;
    drawRow(id);
    announce(t(reply.value.state === 'paused' ? 'watch_paused_done' : 'watch_resumed_done', title));
  };

  const checkNow = async (button: HTMLButtonElement): Promise<void> => {
    button.disabled = true;
    noteRow(id, t('checking'));
    const reply = await send({ type: 'watch.check', id: w.id });
    button.disabled = false;
    if (!reply.ok) { noteRow(id, t('check_failed', reply.error.message), 'bad'); return; }
    row.watch = reply.value.watch;
    const obs = reply.value.observation as { price?: string | null; currency?: string | null; availability?: string; can_tell?: boolean } | null;
    const parts: string[] = [];
    if (obs && obs.can_tell === false) parts.push(t('check_cant_tell'));
    else {
      if (obs?.price) parts.push(formatMoney(obs.price, obs.currency ?? w.currency));
      if (obs?.availability) parts.push(t(`observed_${obs.availability}`));
    }
    parts.push(t(reply.value.changed ? 'check_changed' : 'check_unchanged'));
    if (reply.value.alert) parts.push(t('check_alert', reply.value.alert.message));
    const text = t('check_result', parts.join(' · '));
    row.note = { text, tone: 'good' };
    drawRow(id);
    announce(text);
  };

  const remove = (button: HTMLButtonElement): void => {
    // Two steps, no modal dialog: the first press asks, the second (within 5 s) removes.
    if (button.dataset.confirm !== 'yes') {
      button.dataset.confirm = 'yes';
      button.textContent = t('remove_confirm');
      setTimeout(() => { if (button.isConnected) { button.dataset.confirm = ''; button.textContent = t('watch_remove'); } }, 5000);
      return;
    }
    button.disabled = true;
    void send({ type: 'watch.remove', id: w.id }).then((reply) => {
      if (!reply.ok) { button.disabled = false; noteRow(id, t('watch_failed', reply.error.message), 'bad'); return; }
      removeRow(id);
      announce(t('watch_removed_named', title));
    });
  };

  const button = (action: string, label: string, handler: (b: HTMLButtonElement) => void, extra: Record<string, string> = {}): HTMLButtonElement => {
    const b = el('button', { type: 'button', 'data-action': action, ...extra }, label);
    b.addEventListener('click', () => handler(b));
    return b;
  };

  const meta: Child[] = [
    el('span', { class: `pill ${paused ? 'warn' : 'good'}` }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(paused ? 'watch_paused' : 'watch_active')]),
    el('span', {}, watchRules(w).join(' · ')),
    el('span', { class: 'muted' }, w.last_check_at !== null
      ? [t('last_checked'), ' ', el('time', { datetime: new Date(w.last_check_at).toISOString(), title: dateTime(w.last_check_at) }, relativeTime(w.last_check_at))]
      : t('never_checked')),
  ];

  replace(row.node, [
    el('div', { class: 'watch-head' }, [
      el('div', { class: 'watch-title' }, [
        el('a', { href: /^https?:\/\//.test(w.url) ? w.url : '#', target: '_blank', rel: 'noopener noreferrer', class: 'watch-link', 'data-action': 'open' }, title),
        w.title && el('span', { class: 'muted small url' }, w.url),
      ]),
      el('div', { class: 'row-actions', role: 'group', 'aria-label': t('watch_actions_aria', title) }, [
        button('edit', t('edit'), () => { row.editing = !row.editing; drawRow(id); }, { 'aria-expanded': String(row.editing) }),
        button('state', t(paused ? 'resume' : 'pause'), (b) => void setState(b)),
        button('check', t('check_now'), (b) => void checkNow(b)),
        button('remove', t('watch_remove'), remove, { class: 'danger' }),
      ]),
    ]),
    el('p', { class: 'watch-meta small' }, meta),
    row.editing && editForm(row.watch, (updated) => { row.watch = updated; row.editing = false; drawRow(id); announce(t('watch_updated')); }),
    checkStatus,
  ]);
  if (focused) row.node.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
}

function editForm(w: Watch, done: (w: Watch) => void): HTMLElement {
  const digits = currencyDigits(w.currency);
  const ids = { target: uid('t'), drop: uid('d'), restock: uid('r'), error: uid('e') };
  const target = el('input', { id: ids.target, type: 'text', inputmode: 'decimal', value: w.target_price ?? '', 'aria-describedby': ids.error });
  const drop = el('input', { id: ids.drop, type: 'text', inputmode: 'decimal', value: w.drop_bp !== null ? basisPointsToPercent(w.drop_bp) : '', 'aria-describedby': ids.error });
  const restock = el('input', { id: ids.restock, type: 'checkbox', checked: w.notify_restock });
  const error = el('p', { id: ids.error, class: 'field-error small', role: 'alert' });
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    error.textContent = '';
    const price = target.value.trim() ? parseMoneyInput(target.value, digits) : null;
    if (target.value.trim() && price === null) { error.textContent = t('watch_bad_target', String(digits)); target.focus(); return; }
    if (price !== null && !w.currency) { error.textContent = t('watch_no_currency'); target.focus(); return; }
    const bp = drop.value.trim() ? percentToBasisPoints(drop.value) : null;
    if (drop.value.trim() && !bp) { error.textContent = t('watch_bad_drop'); drop.focus(); return; }
    const reply = await send({ type: 'watch.update', params: { id: w.id, target_price: price, currency: price !== null ? w.currency : null, drop_bp: bp, notify_restock: restock.checked } });
    if (!reply.ok) { error.textContent = t('watch_failed', reply.error.message); return; }
    done(reply.value);
  };
  const form = el('form', { class: 'edit-form', novalidate: true, onsubmit: (e: Event) => void submit(e) }, [
    el('div', { class: 'field' }, [el('label', { for: ids.target }, t('watch_target_label')), el('div', { class: 'affix' }, [target, w.currency && el('span', { class: 'muted' }, w.currency)])]),
    el('div', { class: 'field' }, [el('label', { for: ids.drop }, t('watch_drop_label')), el('div', { class: 'affix' }, [drop, el('span', { class: 'muted' }, '%')])]),
    el('div', { class: 'check-row' }, [restock, el('label', { for: ids.restock }, t('watch_restock_label'))]),
    el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary' }, t('watch_save'))]),
    error,
  ]);
  setTimeout(() => target.focus(), 0);
  return form;
}

function removeRow(id: number): void {
  const row = rows.get(id);
  if (!row) return;
  // Focus inside the row (its Remove button) would fall to the page's start: move it to the
  // next row's title, else the previous one's, else the list's heading.
  const hadFocus = row.node.contains(document.activeElement);
  const neighbour = (row.node.nextElementSibling ?? row.node.previousElementSibling) as HTMLElement | null;
  row.node.remove();
  rows.delete(id);
  if (!rows.size) drawWatchlistEmpty();
  if (hadFocus) (neighbour?.querySelector<HTMLElement>('.watch-link') ?? focusableHeading('watchlist-h')).focus();
}

function focusableHeading(id: string): HTMLElement {
  const h = byId(id);
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  return h;
}

function drawWatchlistEmpty(): void {
  replace(byId('watchlist-body'), el('p', { class: 'empty muted' }, t('watchlist_empty')));
}

/** Adds a row for a watch the page doesn't show yet, in the agent's order (by id). */
function insertRow(w: Watch): void {
  let list = document.getElementById('watch-rows');
  if (!list) {
    list = el('ul', { class: 'watchlist', id: 'watch-rows' });
    replace(byId('watchlist-body'), list);
  }
  const node = el('li', { class: 'watch-row', 'data-watch-id': String(w.id) });
  rows.set(w.id, { node, watch: w, editing: false, note: null });
  // New watches have the highest id: look from the end, so a burst of adds stays linear.
  let after: Element | null = list.lastElementChild;
  while (after && Number((after as HTMLElement).dataset.watchId) > w.id) after = after.previousElementSibling;
  list.insertBefore(node, after ? after.nextSibling : list.firstChild);
  drawRow(w.id);
}

/** Where the list stands: its first load (or a reload) on the way, shown, or failed. */
let listState: 'loading' | 'ready' | 'failed' = 'loading';
/** watch.changed broadcasts that arrived while the list was on its way, applied on top of it
 *  in order once it is drawn (the list may predate them). */
let heldChanges: { watch: Watch | null; removed: number | null }[] = [];

async function fetchWatchlist(): Promise<void> {
  const body = byId('watchlist-body');
  listState = 'loading';
  heldChanges = [];
  const reply = await send({ type: 'watch.list' });
  loaded(body);
  rows.clear();
  if (!reply.ok) {
    listState = 'failed';
    heldChanges = [];
    replace(body, errorNotice(t('watchlist_failed', reply.error.message), () => void loadWatchlist({ now: true })));
    return;
  }
  const watches = reply.value.watches;
  if (!watches.length) drawWatchlistEmpty();
  else {
    const list = el('ul', { class: 'watchlist', id: 'watch-rows' });
    for (const w of watches) {
      const node = el('li', { class: 'watch-row', 'data-watch-id': String(w.id) });
      rows.set(w.id, { node, watch: w, editing: false, note: null });
      list.appendChild(node);
      drawRow(w.id);
    }
    replace(body, list);
  }
  listState = 'ready';
  const held = heldChanges;
  heldChanges = [];
  for (const change of held) onWatchChanged(change.watch, change.removed);
}

/** The whole list again: only for the first load, Retry, and a host that came back (perhaps
 *  a new agent); one request at a time, however many ask. Single watches change in place
 *  (onWatchChanged) and never reload the list, which can be megabytes. */
const loadWatchlist = coalesced(fetchWatchlist, 150);

/** A watch.changed broadcast: one watch added or changed (`watch`), or removed (`removed`). */
function onWatchChanged(watch: Watch | null, removed: number | null): void {
  if (listState === 'loading') { heldChanges.push({ watch, removed }); return; }
  // A failed list shows its error and Retry; a returning host reloads it (see onHost).
  if (listState === 'failed') return;
  if (removed !== null) { removeRow(removed); return; }
  if (!watch || typeof watch.id !== 'number') return;
  const row = rows.get(watch.id);
  if (!row) { insertRow(watch); return; }
  row.watch = watch;
  // An open edit form keeps what the shopper is typing; the row redraws when it closes.
  if (!row.editing) drawRow(watch.id);
}

// ---- wallet ----------------------------------------------------------------------------

const PAYMENT_PATHS = ['direct', 'paypal', 'apple_pay', 'google_pay'];

/** Where the wallet section stands: loading, shown as the agent has it, changed by the
 *  shopper and not saved yet (a reload would wipe that), or failed to load. */
let walletState: 'loading' | 'shown' | 'edited' | 'failed' = 'loading';

/** A label for a field taking a percentage: the visible "%" after the field is hidden from
 *  screen readers, which hear the unit with the label instead. */
function percentLabel(id: string, text: string): HTMLElement {
  return el('label', { for: id }, [text, ' ', el('span', { class: 'visually-hidden' }, t('percent_unit_aria'))]);
}

function percentSuffix(): HTMLElement {
  return el('span', { class: 'muted', 'aria-hidden': 'true' }, '%');
}

/** A wallet field the shopper must correct, and why. */
interface Invalid { field: HTMLElement; text: string }

function walletForm(wallet: Wallet): HTMLElement {
  const statusNode = el('p', { class: 'status small', role: 'status', id: 'wallet-status' });
  const cardList = el('div', { class: 'rows', id: 'wallet-cards' });
  const memberList = el('div', { class: 'rows', id: 'wallet-memberships' });
  const edited = (): void => { walletState = 'edited'; };

  // Rows are named by position ("Card 2", "Remove card 2") so a screen reader tells the rows
  // and their Remove buttons apart; renumbered after every add and remove.
  const renumber = (): void => {
    cardList.querySelectorAll<HTMLElement>('.card-row').forEach((row, i) => {
      const n = String(i + 1);
      row.setAttribute('aria-label', t('wallet_card_n', n));
      const remove = row.querySelector<HTMLElement>('[data-action="remove"]')!;
      remove.setAttribute('aria-label', t('wallet_card_remove_n', n));
      remove.title = t('wallet_card_remove_n', n);
    });
    memberList.querySelectorAll<HTMLElement>('.member-row').forEach((row, i) => {
      const n = String(i + 1);
      row.querySelector('label')!.textContent = t('wallet_membership_n', n);
      const remove = row.querySelector<HTMLElement>('[data-action="remove"]')!;
      remove.setAttribute('aria-label', t('wallet_membership_remove_n', n));
      remove.title = t('wallet_membership_remove_n', n);
    });
  };

  /** Removes a card or membership row; the keyboard focus (on its Remove button) moves to
   *  the next row's first field, else the previous row's, else the Add button. */
  const dropRow = (row: HTMLElement, add: HTMLElement, said: string): void => {
    const neighbour = (row.nextElementSibling ?? row.previousElementSibling) as HTMLElement | null;
    row.remove();
    renumber();
    edited();
    (neighbour?.querySelector<HTMLElement>('input') ?? add).focus();
    announce(said);
  };

  const cardRow = (card: Wallet['cards'][number] | null): HTMLElement => {
    const ids = { name: uid('cn'), id: uid('ci'), earn: uid('ce'), value: uid('cv') };
    const row = el('div', { class: 'card-row', role: 'group' }, [
      el('div', { class: 'field grow' }, [el('label', { for: ids.name }, t('wallet_card_name')), el('input', { id: ids.name, 'data-k': 'name', type: 'text', value: card?.name ?? '', placeholder: t('wallet_card_name_ph') })]),
      el('div', { class: 'field' }, [el('label', { for: ids.id }, t('wallet_card_id')), el('input', { id: ids.id, 'data-k': 'id', type: 'text', value: card?.id ?? '', placeholder: 'visa-rewards', spellcheck: 'false' })]),
      el('div', { class: 'field narrow' }, [percentLabel(ids.earn, t('wallet_card_earn')), el('div', { class: 'affix' }, [el('input', { id: ids.earn, 'data-k': 'earn_percent', type: 'text', inputmode: 'decimal', value: card?.earn_percent ?? '', placeholder: '1.5' }), percentSuffix()])]),
      el('div', { class: 'field narrow' }, [percentLabel(ids.value, t('wallet_card_value')), el('div', { class: 'affix' }, [el('input', { id: ids.value, 'data-k': 'reward_value_percent', type: 'text', inputmode: 'decimal', value: card?.reward_value_percent ?? '', placeholder: '100' }), percentSuffix()])]),
    ]);
    const remove = el('button', { type: 'button', class: 'danger icon', 'data-action': 'remove' }, '×');
    remove.addEventListener('click', () => dropRow(row, addCard, t('wallet_card_removed')));
    row.appendChild(el('div', { class: 'field end' }, remove));
    return row;
  };

  const memberRow = (name: string): HTMLElement => {
    const id = uid('m');
    const row = el('div', { class: 'member-row' }, [
      el('label', { for: id, class: 'visually-hidden' }, t('wallet_membership_name')),
      el('input', { id, type: 'text', value: name, 'data-k': 'membership', placeholder: t('wallet_membership_ph') }),
    ]);
    const remove = el('button', { type: 'button', class: 'danger icon', 'data-action': 'remove' }, '×');
    remove.addEventListener('click', () => dropRow(row, addMember, t('wallet_membership_removed')));
    row.appendChild(remove);
    return row;
  };

  for (const card of wallet.cards) cardList.appendChild(cardRow(card));
  for (const m of wallet.memberships) memberList.appendChild(memberRow(m));

  const giftName = uid('gift');
  const cashbackId = uid('cb');
  const pathId = uid('pp');
  const cashback = el('input', { id: cashbackId, type: 'text', inputmode: 'decimal', value: wallet.cashback_value_percent, 'aria-describedby': `${cashbackId}-help` });
  const paths = PAYMENT_PATHS.includes(wallet.payment_path) ? PAYMENT_PATHS : [...PAYMENT_PATHS, wallet.payment_path];
  const path = el('select', { id: pathId }, paths.map((p) => el('option', { value: p, selected: p === wallet.payment_path }, t(`payment_${p}`) === `payment_${p}` ? p : t(`payment_${p}`))));
  const gift = (value: 'use' | 'avoid'): HTMLElement => {
    const id = uid('g');
    return el('div', { class: 'check-row' }, [
      el('input', { type: 'radio', name: giftName, id, value, checked: wallet.gift_cards === value }),
      el('label', { for: id }, t(`wallet_gift_${value}`)),
    ]);
  };

  // A field in error is marked invalid and described by the status line that says why, so a
  // screen reader reads the reason when the focus lands on it.
  const clearInvalid = (): void => {
    for (const input of form.querySelectorAll<HTMLElement>('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      const rest = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((x) => x && x !== statusNode.id);
      if (rest.length) input.setAttribute('aria-describedby', rest.join(' '));
      else input.removeAttribute('aria-describedby');
    }
  };
  const markInvalid = ({ field, text }: Invalid): void => {
    status(statusNode, text, 'bad');
    field.setAttribute('aria-invalid', 'true');
    const described = (field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    field.setAttribute('aria-describedby', [...described, statusNode.id].join(' '));
    field.focus();
  };

  const read = (): Wallet | Invalid => {
    const cards: Wallet['cards'] = [];
    for (const row of cardList.querySelectorAll<HTMLElement>('.card-row')) {
      const get = (k: string): HTMLInputElement => row.querySelector<HTMLInputElement>(`[data-k="${k}"]`)!;
      const id = get('id').value.trim();
      const name = get('name').value.trim();
      const earn = get('earn_percent').value.trim();
      const value = get('reward_value_percent').value.trim();
      if (!id && !name && !earn && !value) continue; // an empty row added and left alone
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id)) return { field: get('id'), text: t('wallet_bad_card_id') };
      if (cards.some((c) => c.id === id)) return { field: get('id'), text: t('wallet_duplicate_card', id) };
      const card: Wallet['cards'][number] = { id };
      if (name) card.name = name;
      if (earn) {
        const p = parsePercentInput(earn, 100);
        if (p === null) return { field: get('earn_percent'), text: t('wallet_bad_percent', '100') };
        card.earn_percent = p;
      }
      if (value) {
        const p = parsePercentInput(value, 1000);
        if (p === null) return { field: get('reward_value_percent'), text: t('wallet_bad_percent', '1000') };
        card.reward_value_percent = p;
      }
      cards.push(card);
    }
    const memberships: string[] = [];
    for (const input of memberList.querySelectorAll<HTMLInputElement>('input')) {
      const m = input.value.trim();
      if (m && !memberships.includes(m)) memberships.push(m);
    }
    const cb = parsePercentInput(cashback.value, 1000);
    if (cb === null) return { field: cashback, text: t('wallet_bad_percent', '1000') };
    const giftChoice = form.querySelector<HTMLInputElement>(`input[name="${giftName}"]:checked`)?.value === 'avoid' ? 'avoid' : 'use';
    return { cards, memberships, gift_cards: giftChoice, cashback_value_percent: cb, payment_path: path.value };
  };

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    clearInvalid();
    const wallet = read();
    if ('field' in wallet) { markInvalid(wallet); return; }
    const submitButton = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    submitButton.disabled = true;
    status(statusNode, t('saving'));
    const reply = await send({ type: 'wallet.set', wallet });
    submitButton.disabled = false;
    if (!reply.ok) { status(statusNode, t('save_failed', reply.error.message), 'bad'); return; }
    const saved = walletForm(reply.value);
    const hadFocus = form.contains(document.activeElement);
    form.replaceWith(saved);
    walletState = 'shown';
    status(saved.querySelector<HTMLElement>('#wallet-status')!, t('saved'), 'good');
    if (hadFocus) saved.querySelector<HTMLElement>('#wallet-save')?.focus();
    announce(t('wallet_saved'));
  };

  const addCard = el('button', { type: 'button', id: 'wallet-add-card' }, t('wallet_add_card'));
  addCard.addEventListener('click', () => {
    const row = cardRow(null);
    cardList.appendChild(row);
    renumber();
    edited();
    row.querySelector('input')?.focus();
  });
  const addMember = el('button', { type: 'button', id: 'wallet-add-membership' }, t('wallet_add_membership'));
  addMember.addEventListener('click', () => {
    const row = memberRow('');
    memberList.appendChild(row);
    renumber();
    edited();
    row.querySelector('input')?.focus();
  });

  const form = el('form', {
    class: 'wallet-form', id: 'wallet-form', novalidate: true,
    onsubmit: (e: Event) => void save(e), oninput: edited, onchange: edited,
  }, [
    el('fieldset', {}, [
      el('legend', {}, t('wallet_cards')),
      el('p', { class: 'muted small' }, t('wallet_cards_help')),
      cardList,
      addCard,
    ]),
    el('fieldset', {}, [
      el('legend', {}, t('wallet_memberships')),
      el('p', { class: 'muted small' }, t('wallet_memberships_help')),
      memberList,
      addMember,
    ]),
    el('fieldset', {}, [
      el('legend', {}, t('wallet_gift_cards')),
      gift('use'),
      gift('avoid'),
    ]),
    el('div', { class: 'two' }, [
      el('div', { class: 'field' }, [
        percentLabel(cashbackId, t('wallet_cashback_value')),
        el('div', { class: 'affix' }, [cashback, percentSuffix()]),
        el('p', { class: 'muted small', id: `${cashbackId}-help` }, t('wallet_cashback_help')),
      ]),
      el('div', { class: 'field' }, [el('label', { for: pathId }, t('wallet_payment_path')), path]),
    ]),
    el('div', { class: 'actions' }, [el('button', { type: 'submit', class: 'primary', id: 'wallet-save' }, t('wallet_save')), statusNode]),
  ]);
  renumber();
  return form;
}

async function fetchWallet(): Promise<void> {
  const body = byId('wallet-body');
  walletState = 'loading';
  const reply = await send({ type: 'wallet.get' });
  loaded(body);
  if (!reply.ok) {
    walletState = 'failed';
    replace(body, errorNotice(t('wallet_failed', reply.error.message), () => void loadWallet({ now: true })));
    return;
  }
  replace(body, walletForm(reply.value));
  walletState = 'shown';
}

const loadWallet = coalesced(fetchWallet, 150);

// ---- sites and notifications -----------------------------------------------------------

let settings: Settings | null = null;

async function saveSettings(next: Settings, statusNode: HTMLElement): Promise<void> {
  status(statusNode, t('saving'));
  const reply = await send({ type: 'settings.set', settings: next });
  if (!reply.ok) { status(statusNode, t('save_failed', reply.error.message), 'bad'); drawSettings(); return; }
  settings = reply.value;
  drawSettings(t('saved'));
  announce(t('settings_saved'));
}

/** A host name as typed ("https://www.shop.example/x" -> "www.shop.example"); null if none. */
function hostOf(text: string): string | null {
  const raw = text.trim().toLowerCase();
  if (!raw) return null;
  try {
    const host = new URL(/^[a-z]+:\/\//.test(raw) ? raw : `https://${raw}`).hostname;
    return /^[a-z0-9.-]+$/.test(host) && host.includes('.') ? host : null;
  } catch {
    return null;
  }
}

function drawSettings(message?: string): void {
  const body = byId('sites-body');
  const s = settings;
  if (!s) return;
  const statusNode = el('p', { class: 'status small', role: 'status', id: 'settings-status' });
  const ids = { panel: uid('panel'), notes: uid('notes'), add: uid('add') };
  const toggle = (id: string, checked: boolean, label: string, help: string, onchange: (v: boolean) => void): HTMLElement =>
    el('div', { class: 'toggle-row' }, [
      el('input', { type: 'checkbox', id, checked, role: 'switch', 'aria-describedby': `${id}-help`, onchange: (e: Event) => onchange((e.target as HTMLInputElement).checked) }),
      el('div', {}, [el('label', { for: id }, label), el('p', { class: 'muted small', id: `${id}-help` }, help)]),
    ]);
  const sites = Object.entries(s.sites).sort(([a], [b]) => a.localeCompare(b));
  const addInput = el('input', { id: ids.add, type: 'text', placeholder: 'shop.example', spellcheck: 'false', autocomplete: 'off' });
  const addSite = (e: Event): void => {
    e.preventDefault();
    const host = hostOf(addInput.value);
    if (!host) { addInput.setAttribute('aria-invalid', 'true'); status(statusNode, t('sites_bad_host'), 'bad'); addInput.focus(); return; }
    void saveSettings({ ...s, sites: { ...s.sites, [host]: { panel: false } } }, statusNode);
  };
  replace(body, [
    toggle(ids.panel, s.panel_enabled, t('settings_panel'), t('settings_panel_help'), (v) => void saveSettings({ ...s, panel_enabled: v }, statusNode)),
    toggle(ids.notes, s.notifications, t('settings_notifications'), t('settings_notifications_help'), (v) => void saveSettings({ ...s, notifications: v }, statusNode)),
    el('h3', { class: 'sub' }, t('sites_per_site')),
    el('p', { class: 'muted small' }, t('sites_per_site_help')),
    sites.length
      ? el('ul', { class: 'site-list', id: 'site-list' }, sites.map(([host, site]) => {
        const id = uid('site');
        const remove = el('button', { type: 'button', class: 'link', 'aria-label': t('sites_remove_aria', host) }, t('sites_remove'));
        remove.addEventListener('click', () => {
          const rest = { ...s.sites };
          delete rest[host];
          void saveSettings({ ...s, sites: rest }, statusNode);
        });
        return el('li', {}, [
          el('span', { class: 'site-host' }, host),
          el('div', { class: 'check-row' }, [
            el('input', { type: 'checkbox', id, checked: site.panel, onchange: (e: Event) => void saveSettings({ ...s, sites: { ...s.sites, [host]: { panel: (e.target as HTMLInputElement).checked } } }, statusNode) }),
            el('label', { for: id }, t('sites_show_panel')),
          ]),
          remove,
        ]);
      }))
      : el('p', { class: 'muted small' }, t('sites_none')),
    el('form', { class: 'add-site', novalidate: true, onsubmit: addSite }, [
      el('label', { for: ids.add }, t('sites_add_label')),
      el('div', { class: 'affix' }, [addInput, el('button', { type: 'submit' }, t('sites_add'))]),
    ]),
    statusNode,
  ]);
  if (message) status(statusNode, message, 'good');
}

async function loadSettings(): Promise<void> {
  const body = byId('sites-body');
  const reply = await send({ type: 'settings.get' });
  loaded(body);
  if (!reply.ok) {
    replace(body, errorNotice(t('settings_failed', reply.error.message), () => void loadSettings()));
    return;
  }
  settings = reply.value;
  drawSettings();
}

// ---- host ----------------------------------------------------------------------------

/** The host state last heard (host.status or host.changed), null before the first. */
let hostState: HostStatus['state'] | null = null;

function onHost(host: HostStatus): void {
  const before = hostState;
  hostState = host.state;
  renderHostPill(host);
  if (host.state !== 'connected') return;
  // Back from a missing host or agent (perhaps a new agent with other data): reload what
  // shows the agent's data. Never for connected -> connected: host.changed also follows every
  // check's last_check_at, and a section that fails for good (an agent without wallet.get)
  // must not be asked again each time. The first state heard reloads only what failed (the
  // page may have asked while the host was still connecting).
  const cameBack = before !== null && before !== 'connected';
  const first = before === null;
  if (cameBack || (first && listState === 'failed')) void loadWatchlist();
  // The wallet form only when it failed or is untouched: a reload must not wipe typing.
  if (((cameBack || first) && walletState === 'failed') || (cameBack && walletState === 'shown')) void loadWallet();
  // The vault and sync sections keep no typing across a reload (the add form survives it).
  if (cameBack) { void loadVault(); void loadSync(); } else if (first) reloadFailed();
}

// ---- start -----------------------------------------------------------------------------

async function main(): Promise<void> {
  localizePage();
  onBroadcast((b) => {
    if (b.type === 'host.changed') onHost(b.host);
    else if (b.type === 'watch.changed') onWatchChanged(b.watch, b.removed);
    else if (b.type === 'sync.changed') onSyncChanged(b.sync);
    else if (b.type === 'vault.changed') void loadVault();
  });
  void send({ type: 'host.status' }).then((r) => { if (r.ok) onHost(r.value); });
  await Promise.all([loadWatchlist({ now: true }), loadWallet({ now: true }), loadSettings(), startAccount(announce)]);
  document.body.dataset.ready = 'true';
}

void main();
