// The toolbar popup: the product on the active tab, its best stack, its price history, the
// watch on it, the alerts and the native host's state. Everything comes from one `tab.state`
// reply, rendered at once; the chart (uPlot) loads after that first paint. Broadcasts from the
// service worker re-render only the sections whose data changed, so a check arriving while
// the shopper types a target price doesn't wipe the field.

import type { Alert, HostStatus, Product, ReplyMap, StackResult, SyncStatus, TabState, Watch } from '../shared/messages';
import { byId, el, replace, uid, type Child } from '../shared/ui/dom';
import {
  basisPointsToPercent, compareDecimal, currencyDigits, formatMoney, parseMoneyInput,
  percentOf, percentToBasisPoints,
} from '../shared/ui/money';
import { copyText, localizePage, onBroadcast, openOptions, send, t, targetTabId } from '../shared/ui/runtime';
import { coalesced } from '../shared/ui/coalesce';
import { dateTime, relativeTime, shortDay } from '../shared/ui/time';

type TabReply = ReplyMap['tab.state'];

const view = {
  tabId: null as number | null,
  reply: null as TabReply | null,
  /** Section id -> the signature of the data it was last drawn from. */
  drawn: new Map<string, string>(),
  chart: null as { destroy(): void } | null,
};

// ---- small pieces --------------------------------------------------------------------

function money(amount: string, currency: string | null): string {
  return formatMoney(amount, currency);
}

/** Announces a status change to screen readers (the visible text is elsewhere). */
function announce(text: string): void {
  const live = byId('live');
  live.textContent = '';
  // A fresh text node after a tick: screen readers skip a region whose text didn't change.
  setTimeout(() => { live.textContent = text; }, 30);
}

function heading(text: string, extra?: Child): HTMLElement {
  return el('div', { class: 'block-head' }, [el('h2', {}, text), extra]);
}

/** Draws section `id` from `data` unless it was drawn from equal data already. */
function section(id: string, data: unknown, draw: (node: HTMLElement) => void): void {
  const signature = JSON.stringify(data) ?? 'undefined';
  if (view.drawn.get(id) === signature) return;
  view.drawn.set(id, signature);
  draw(byId(id));
}

// ---- product ---------------------------------------------------------------------------

const AVAILABILITY: Record<Product['availability'], { key: string; tone: string }> = {
  InStock: { key: 'availability_in_stock', tone: 'good' },
  LimitedAvailability: { key: 'availability_limited', tone: 'warn' },
  PreOrder: { key: 'availability_preorder', tone: 'warn' },
  BackOrder: { key: 'availability_backorder', tone: 'warn' },
  OutOfStock: { key: 'availability_out_of_stock', tone: 'bad' },
  SoldOut: { key: 'availability_sold_out', tone: 'bad' },
  Discontinued: { key: 'availability_discontinued', tone: 'bad' },
  Unknown: { key: 'availability_unknown', tone: '' },
};

const SOURCE_KEYS: Record<string, string> = {
  'json-ld': 'source_json_ld',
  microdata: 'source_microdata',
  meta: 'source_meta',
  heuristic: 'source_heuristic',
  url: 'source_url',
};

/** "How sure we are" from the weakest of the fields the popup leans on: name and price. */
function confidence(product: Product): { level: 'high' | 'medium' | 'low'; source: string | null } {
  const scores = ['name', 'price'].map((f) => product.confidence[f]).filter((v): v is number => typeof v === 'number');
  const score = scores.length ? Math.min(...scores) : 0;
  const level = score >= 80 ? 'high' : score >= 50 ? 'medium' : 'low';
  const raw = product.sources.price ?? product.sources.name ?? null;
  return { level, source: raw ? t(SOURCE_KEYS[raw] ?? 'source_other') : null };
}

function renderProduct(node: HTMLElement, state: TabState | null): void {
  const product = state?.product ?? null;
  if (!state || !product) {
    node.classList.add('empty');
    const failed = state?.product_error && state.product_error.code !== 'no_product' ? state.product_error : null;
    replace(node, [
      el('div', { class: 'empty-art', 'aria-hidden': 'true' }),
      el('h1', { class: 'empty-title' }, t('empty_title')),
      el('p', { class: 'muted' }, t('empty_body')),
      failed && el('p', { class: 'notice warn' }, t('product_read_failed', failed.message)),
    ]);
    return;
  }
  node.classList.remove('empty');
  const avail = AVAILABILITY[product.availability] ?? AVAILABILITY.Unknown;
  const sure = confidence(product);
  const price = product.price;
  const listHigher = price && product.list_price && product.list_price.currency === price.currency
    && compareDecimal(product.list_price.amount, price.amount) === 1;
  const sureText = sure.source
    ? t('confidence_with_source', [t(`confidence_${sure.level}`), sure.source])
    : t(`confidence_${sure.level}`);
  const fieldDetails = Object.entries(product.confidence)
    .map(([field, score]) => `${field}: ${score}${product.sources[field] ? ` (${product.sources[field]})` : ''}`)
    .join('\n');

  const image = product.image && /^https?:\/\//.test(product.image)
    ? el('img', {
      class: 'thumb', src: product.image, alt: '', width: 72, height: 72, referrerpolicy: 'no-referrer',
      decoding: 'async', onerror: (e: Event) => (e.target as HTMLElement).classList.add('broken'),
    })
    : el('div', { class: 'thumb broken', 'aria-hidden': 'true' });

  replace(node, [
    image,
    el('div', { class: 'product-info' }, [
      el('h1', { class: 'product-name', id: 'product-name', title: product.name ?? '' }, product.name ?? t('product_unnamed')),
      el('p', { class: 'retailer muted' }, [product.brand ? `${product.brand} · ` : '', state.retailer]),
      el('p', { class: 'price-line' }, price
        ? [
          el('span', { class: 'price', id: 'product-price' }, money(price.amount, price.currency)),
          listHigher && el('s', { class: 'list-price muted', 'aria-label': t('list_price_aria', money(product.list_price!.amount, product.list_price!.currency)) },
            money(product.list_price!.amount, product.list_price!.currency)),
        ]
        : el('span', { class: 'muted' }, t('price_unknown'))),
      el('p', { class: 'facts' }, [
        el('span', { class: `pill ${avail.tone}` }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(avail.key)]),
        el('span', { class: `pill sure-${sure.level}`, title: fieldDetails, id: 'product-confidence' }, [
          el('span', { class: 'meter', 'aria-hidden': 'true' }, [el('i'), el('i'), el('i')]),
          sureText,
        ]),
      ]),
    ]),
  ]);
}

// ---- stack -----------------------------------------------------------------------------

const STEP_KEYS: Record<string, string> = {
  start_at_portal: 'step_portal',
  buy_gift_cards: 'step_gift_cards',
  automatic_promotion: 'step_promotion',
  enter_code: 'step_code',
  choose_shipping: 'step_shipping',
  pay: 'step_pay',
  card_offer: 'step_card_offer',
};

const WITHOUT_KEYS: Record<string, string> = {
  codes: 'without_codes',
  promotions: 'without_promotions',
  portal: 'without_portal',
  card_offers: 'without_card_offers',
  gift_cards: 'without_gift_cards',
};

function savesText(saves: string, currency: string): { text: string; tone: string } {
  const sign = compareDecimal(saves, '0');
  if (sign === 0) return { text: '—', tone: 'muted' };
  if (sign === -1) return { text: `+${money(saves.replace(/^-/, ''), currency)}`, tone: 'bad' };
  return { text: `−${money(saves, currency)}`, tone: 'good' };
}

function renderStack(node: HTMLElement, state: TabState | null, host: HostStatus): void {
  if (!state?.product) {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  const stack = state.stack;
  if (!stack) {
    replace(node, [
      heading(t('stack_heading')),
      el('p', { class: 'notice warn' }, state.stack_error ? t('stack_failed', state.stack_error.message) : t('stack_none')),
    ]);
    return;
  }
  const c = stack.currency;
  const totals = stack.totals;
  const pct = percentOf(totals.savings, totals.list_total);
  const saved = compareDecimal(totals.savings, '0') === 1;
  const offersNote = state.offer_count === 0
    ? (host.state === 'connected' ? t('stack_no_offers', state.retailer) : t('stack_no_offers_offline'))
    : t('stack_offer_count', [String(state.offer_count), state.retailer]);

  replace(node, [
    heading(t('stack_heading'), saved && el('span', { class: 'pill good', id: 'stack-saving-pill' },
      pct !== null && pct > 0 ? t('save_percent', String(pct)) : t('save_amount', money(totals.savings, c)))),
    saved && stack.steps.length
      ? el('ol', { class: 'steps', 'aria-label': t('steps_aria') }, stack.steps.map((step, i) => {
        const s = savesText(step.saves, c);
        return el('li', { class: 'step' }, [
          el('span', { class: 'step-n', 'aria-hidden': 'true' }, String(i + 1)),
          el('div', { class: 'step-body' }, [
            el('span', { class: 'step-kind' }, t(STEP_KEYS[step.action] ?? 'step_other')),
            el('span', { class: 'step-label' }, [
              step.label,
              step.action === 'enter_code' && el('code', { class: 'code' }, step.code),
            ]),
          ]),
          el('span', { class: `step-saves ${s.tone}` }, s.text),
        ]);
      }))
      : null,
    el('dl', { class: `totals${saved ? '' : ' plain'}` }, [
      // Nothing saved: the plain price and the price paid are the effective price; one line.
      saved && el('div', {}, [el('dt', {}, t('total_plain')), el('dd', { id: 'total-plain' }, money(totals.list_total, c))]),
      saved && el('div', {}, [el('dt', {}, t('total_paid')), el('dd', { id: 'total-paid' }, money(totals.out_of_pocket, c))]),
      el('div', { class: 'effective' }, [el('dt', {}, t('total_effective')), el('dd', { id: 'total-effective' }, money(totals.net, c))]),
      saved && el('div', { class: 'saving' }, [
        el('dt', {}, t('total_saving')),
        el('dd', { id: 'total-saving', class: 'good' }, pct !== null ? t('saving_with_percent', [money(totals.savings, c), String(pct)]) : money(totals.savings, c)),
      ]),
    ]),
    el('p', { class: 'muted small' }, offersNote),
    stack.warnings.length > 0 && el('ul', { class: 'warnings', 'aria-label': t('warnings_aria') },
      stack.warnings.map((w) => el('li', { class: 'notice warn' }, [el('strong', {}, t('warning_prefix')), ' ', w.message]))),
    stack.hints.length > 0 && el('ul', { class: 'hints', 'aria-label': t('hints_aria') },
      stack.hints.map((h) => el('li', { class: 'hint' }, [
        el('strong', {}, t('hint_add', [money(h.add, c), money(h.saves, c)])),
        el('span', { class: 'muted' }, h.message),
      ]))),
    renderAlternatives(stack),
  ]);
}

function renderAlternatives(stack: StackResult): Child {
  if (!stack.alternatives.length) return null;
  return el('details', { class: 'alternatives' }, [
    el('summary', {}, t('alternatives_heading')),
    el('ul', {}, stack.alternatives.map((a) => el('li', {}, [
      el('span', {}, t(WITHOUT_KEYS[a.without] ?? 'without_other')),
      el('span', {}, [money(a.net, stack.currency), ' ', el('span', { class: 'muted' }, t('costs_more', money(a.costs_more, stack.currency)))]),
    ]))),
  ]);
}

// ---- history ---------------------------------------------------------------------------

function renderHistory(node: HTMLElement, reply: TabReply): void {
  const state = reply.state;
  view.chart?.destroy();
  view.chart = null;
  if (!state?.product) {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  const history = reply.history;
  const lastCheck = history?.last_check_at ?? state.watch?.last_check_at ?? null;
  const checked = lastCheck !== null
    ? el('p', { class: 'muted small', id: 'last-check' }, [t('last_checked'), ' ', el('time', { datetime: new Date(lastCheck).toISOString(), title: dateTime(lastCheck) }, relativeTime(lastCheck))])
    : null;
  if (!state.watch || !history) {
    replace(node, [heading(t('history_heading')), el('p', { class: 'muted small' }, t('history_watch_first'))]);
    return;
  }
  const priced = history.days.filter((d) => d.last !== null || d.min !== null);
  if (!priced.length) {
    replace(node, [heading(t('history_heading')), el('p', { class: 'muted small' }, t('history_empty')), checked]);
    return;
  }
  // Lowest and highest over the period, compared exactly on the decimal strings.
  let low: string | null = null;
  let high: string | null = null;
  for (const d of history.days) {
    if (d.min !== null && (low === null || compareDecimal(d.min, low) === -1)) low = d.min;
    if (d.max !== null && (high === null || compareDecimal(d.max, high) === 1)) high = d.max;
  }
  const c = history.currency;
  const effective = state.stack && state.stack.currency === c ? state.stack.net : null;
  const summary = t('history_summary', [money(low!, c), money(high!, c), shortDay(priced[0]!.day)]);
  const plot = el('div', { class: 'chart', id: 'chart', role: 'img', 'aria-label': summary });
  replace(node, [
    heading(t('history_heading')),
    plot,
    el('ul', { class: 'legend', 'aria-hidden': 'true' }, [
      el('li', {}, [el('span', { class: 'swatch price' }), t('chart_price')]),
      el('li', {}, [el('span', { class: 'swatch range' }), t('chart_range')]),
      effective && el('li', {}, [el('span', { class: 'swatch effective' }), t('chart_effective', money(effective, c))]),
    ]),
    el('p', { class: 'small' }, summary),
    checked,
  ]);
  // After the first paint: the popup is usable before uPlot is even parsed.
  requestAnimationFrame(() => setTimeout(() => {
    void import('../shared/ui/chart').then(({ renderHistoryChart }) => {
      if (!plot.isConnected) return;
      view.chart = renderHistoryChart(plot, {
        history,
        effective,
        labels: { price: t('chart_price'), range: t('chart_range'), effective: t('chart_effective_short') },
      });
    }).catch((e: unknown) => {
      replace(plot, el('p', { class: 'muted small' }, t('chart_failed', String((e as Error)?.message ?? e))));
    });
  }, 0));
}

// ---- watch -----------------------------------------------------------------------------

function watchRules(w: Watch | null): unknown {
  // What the form shows: a check moving last_check_at must not redraw (and clear) it.
  return w && [w.id, w.target_price, w.currency, w.drop_bp, w.notify_restock, w.state];
}

function renderWatch(node: HTMLElement, state: TabState | null, host: HostStatus): void {
  const product = state?.product;
  if (!state || !product) {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  const watch = state.watch;
  const currency = watch?.currency ?? product.price?.currency ?? null;
  const digits = currencyDigits(currency);
  const online = host.state === 'connected';
  const targetId = uid('target');
  const dropId = uid('drop');
  const restockId = uid('restock');
  const errorId = uid('watch-error');
  const status = el('p', { class: 'watch-status small', id: 'watch-status', role: 'status', 'aria-live': 'polite' });

  const target = el('input', {
    id: targetId, type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'money-input',
    value: watch?.target_price ?? '', placeholder: product.price ? product.price.amount : '',
    'aria-describedby': errorId, disabled: !online,
  });
  const drop = el('input', {
    id: dropId, type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'pct-input',
    value: watch?.drop_bp != null ? basisPointsToPercent(watch.drop_bp) : '', placeholder: '10',
    'aria-describedby': errorId, disabled: !online,
  });
  const restock = el('input', { id: restockId, type: 'checkbox', checked: watch ? watch.notify_restock : true, disabled: !online });
  const error = el('p', { id: errorId, class: 'field-error small', role: 'alert' });

  const read = (): Partial<Watch> | null => {
    error.textContent = '';
    target.removeAttribute('aria-invalid');
    drop.removeAttribute('aria-invalid');
    const targetText = target.value.trim();
    const dropText = drop.value.trim();
    const price = targetText ? parseMoneyInput(targetText, digits) : null;
    if (targetText && price === null) {
      target.setAttribute('aria-invalid', 'true');
      error.textContent = t('watch_bad_target', String(digits));
      target.focus();
      return null;
    }
    const bp = dropText ? percentToBasisPoints(dropText) : null;
    if (dropText && (bp === null || bp === 0)) {
      drop.setAttribute('aria-invalid', 'true');
      error.textContent = t('watch_bad_drop');
      drop.focus();
      return null;
    }
    if (price !== null && !currency) {
      target.setAttribute('aria-invalid', 'true');
      error.textContent = t('watch_no_currency');
      return null;
    }
    return {
      target_price: price,
      currency: price !== null ? currency : null,
      drop_bp: bp,
      notify_restock: restock.checked,
    };
  };

  const busy = (on: boolean): void => {
    for (const b of node.querySelectorAll('button')) b.disabled = on || !online;
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const rules = read();
    if (!rules) return;
    busy(true);
    status.textContent = t('saving');
    const reply = watch
      ? await send({ type: 'watch.update', params: { id: watch.id, ...rules } })
      : await send({ type: 'watch.add', params: { url: state.url, ...rules } });
    busy(false);
    if (!reply.ok) {
      status.textContent = t('watch_failed', reply.error.message);
      status.className = 'watch-status small bad';
      return;
    }
    applyWatch(reply.value);
    announce(watch ? t('watch_updated') : t('watch_added'));
  };

  const remove = async (): Promise<void> => {
    if (!watch) return;
    busy(true);
    const reply = await send({ type: 'watch.remove', id: watch.id });
    busy(false);
    if (!reply.ok) {
      status.textContent = t('watch_failed', reply.error.message);
      status.className = 'watch-status small bad';
      return;
    }
    applyWatch(null);
    announce(t('watch_removed'));
  };

  const current: Child[] = [];
  if (watch) {
    const parts: string[] = [];
    if (watch.target_price !== null) parts.push(t('watch_summary_target', money(watch.target_price, watch.currency)));
    if (watch.drop_bp !== null) parts.push(t('watch_summary_drop', basisPointsToPercent(watch.drop_bp)));
    if (watch.notify_restock) parts.push(t('watch_summary_restock'));
    current.push(el('p', { class: 'watch-current', id: 'watch-current' }, [
      el('span', { class: `pill ${watch.state === 'paused' ? 'warn' : 'good'}` }, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(watch.state === 'paused' ? 'watch_paused' : 'watch_active')]),
      ' ',
      parts.length ? parts.join(' · ') : t('watch_summary_any'),
    ]));
  }

  replace(node, [
    heading(t('watch_heading')),
    ...current,
    !online && el('p', { class: 'muted small' }, t('watch_needs_host')),
    el('form', { class: 'watch-form', novalidate: true, onsubmit: (e: Event) => void submit(e) }, [
      el('div', { class: 'fields' }, [
        el('div', { class: 'field' }, [
          el('label', { for: targetId }, t('watch_target_label')),
          el('div', { class: 'affix' }, [target, currency && el('span', { class: 'muted', 'aria-hidden': 'true' }, currency)]),
        ]),
        el('div', { class: 'field' }, [
          el('label', { for: dropId }, t('watch_drop_label')),
          el('div', { class: 'affix' }, [drop, el('span', { class: 'muted', 'aria-hidden': 'true' }, '%')]),
        ]),
      ]),
      el('div', { class: 'check-row' }, [restock, el('label', { for: restockId }, t('watch_restock_label'))]),
      error,
      el('div', { class: 'actions' }, [
        el('button', { type: 'submit', class: 'primary', id: 'watch-save', disabled: !online }, watch ? t('watch_save') : t('watch_add')),
        watch && el('button', { type: 'button', class: 'danger', id: 'watch-remove', disabled: !online, onclick: () => void remove() }, t('watch_remove')),
      ]),
      status,
    ]),
  ]);
}

/** A watch added, changed or removed from the popup: shown at once, then the history. */
function applyWatch(watch: Watch | null): void {
  const reply = view.reply;
  if (!reply?.state) return;
  reply.state = { ...reply.state, watch };
  if (!watch) reply.history = null;
  render();
  scheduleRefresh();
}

// ---- alerts ----------------------------------------------------------------------------

const ALERT_KEYS: Record<string, string> = {
  restock: 'alert_restock',
  below_target: 'alert_below_target',
  all_time_low: 'alert_all_time_low',
  drop: 'alert_drop',
  price_increase: 'alert_price_increase',
  cant_tell: 'alert_cant_tell',
};

function renderAlerts(node: HTMLElement, alerts: Alert[]): void {
  if (!alerts.length) {
    node.hidden = true;
    replace(node, []);
    return;
  }
  node.hidden = false;
  const ack = async (alert: Alert, button: HTMLButtonElement): Promise<void> => {
    button.disabled = true;
    const reply = await send({ type: 'alerts.ack', id: alert.id });
    if (!reply.ok) {
      button.disabled = false;
      announce(t('alert_ack_failed', reply.error.message));
      return;
    }
    if (view.reply) view.reply.alerts = view.reply.alerts.filter((a) => a.id !== alert.id);
    announce(t('alert_dismissed'));
    render();
  };
  replace(node, [
    heading(t('alerts_heading'), el('span', { class: 'pill warn' }, String(alerts.length))),
    el('ul', { class: 'alerts', id: 'alert-list' }, alerts.map((a) => {
      const button = el('button', { type: 'button', class: 'link', 'aria-label': t('alert_dismiss_aria', a.message) }, t('alert_dismiss'));
      button.addEventListener('click', () => void ack(a, button));
      return el('li', { class: 'alert' }, [
        el('div', { class: 'alert-main' }, [
          el('span', { class: 'alert-kind' }, t(ALERT_KEYS[a.kind] ?? 'alert_other')),
          el('span', { class: 'alert-message' }, a.message),
          el('span', { class: 'muted small' }, [
            a.price !== null ? `${money(a.price, a.currency)} · ` : '',
            el('time', { datetime: new Date(a.at).toISOString(), title: dateTime(a.at) }, relativeTime(a.at)),
          ]),
        ]),
        button,
      ]);
    })),
  ]);
}

// ---- host ------------------------------------------------------------------------------

const HOST_KEYS: Record<HostStatus['state'], string> = {
  connecting: 'host_connecting',
  connected: 'host_connected',
  host_missing: 'host_missing',
  agent_unavailable: 'host_agent_unavailable',
  origin_not_allowed: 'host_origin_not_allowed',
};

function renderHostPill(host: HostStatus): void {
  const pill = byId('host-pill');
  const tone = host.state === 'connected' ? 'good' : host.state === 'connecting' ? '' : 'bad';
  pill.className = `pill ${tone}`;
  replace(pill, [el('span', { class: 'dot', 'aria-hidden': 'true' }), t(host.state === 'connected' ? 'host_pill_connected' : host.state === 'connecting' ? 'host_pill_connecting' : 'host_pill_offline')]);
}

function renderHost(node: HTMLElement, host: HostStatus): void {
  renderHostPill(host);
  if (host.state === 'connected' || host.state === 'connecting') {
    const parts: Child[] = [el('span', { id: 'host-state' }, t(HOST_KEYS[host.state]))];
    if (host.state === 'connected') {
      if (host.agent_pid !== null) parts.push(' · ', t('host_agent_running', String(host.agent_pid)));
      if (host.version) parts.push(' · ', `v${host.version}`);
      if (host.last_check_at !== null) {
        parts.push(' · ', t('host_last_check'), ' ',
          el('time', { datetime: new Date(host.last_check_at).toISOString(), title: dateTime(host.last_check_at) }, relativeTime(host.last_check_at)));
      }
    }
    replace(node, el('p', { class: 'muted small host-line' }, parts));
    return;
  }
  const retry = el('button', { type: 'button', id: 'host-retry' }, t('host_retry'));
  retry.addEventListener('click', () => {
    retry.disabled = true;
    replace(retry, t('host_retrying'));
    void send({ type: 'host.retry' }).then((reply) => {
      if (reply.ok) applyHost(reply.value);
      else { retry.disabled = false; replace(retry, t('host_retry')); announce(reply.error.message); }
    });
  });
  const fix = host.fix;
  const copy = fix ? el('button', { type: 'button', id: 'host-copy' }, t('copy')) : null;
  copy?.addEventListener('click', () => {
    void copyText(fix!).then((ok) => { replace(copy, t(ok ? 'copied' : 'copy_failed')); announce(t(ok ? 'copied' : 'copy_failed')); });
  });
  replace(node, el('div', { class: 'notice bad host-problem' }, [
    el('p', { class: 'host-title' }, [el('strong', { id: 'host-state' }, t(HOST_KEYS[host.state]))]),
    host.message && el('p', { class: 'small', id: 'host-message' }, host.message),
    fix && el('p', { class: 'small' }, t('host_fix_intro')),
    fix && el('pre', { class: 'fix' }, el('code', { id: 'host-fix' }, fix)),
    el('div', { class: 'actions' }, [copy, retry]),
  ]));
}

function applyHost(host: HostStatus): void {
  const reply = view.reply;
  if (!reply) return;
  const wasConnected = reply.host.state === 'connected';
  reply.host = host;
  render();
  if (host.state === 'connected' && !wasConnected) {
    announce(t('host_back'));
    scheduleRefresh(); // the watch, history and alerts come from the agent
    void loadSync();
  }
}

// ---- sync line -------------------------------------------------------------------------

/** The sync account's state as the popup last heard it; null: off, unknown or unavailable
 *  (an agent without sync), and the line is hidden. */
let syncStatus: SyncStatus | null = null;

/** One short line under the host's: "Synced 2 minutes ago", "Sync paused: vault locked",
 *  "Sync error: log in again". Nothing while sync is off. */
function renderSyncLine(): void {
  const node = byId('sync-line');
  const s = syncStatus;
  if (!s || s.state === 'off' || view.reply?.host.state !== 'connected') {
    node.hidden = true;
    replace(node, []);
    return;
  }
  let text: string;
  let tone = '';
  let title = '';
  switch (s.state) {
    case 'idle':
      // Under a minute, relativeTime says "now": "Synced just now" reads better than "Synced now".
      text = s.last_sync_at === null ? t('sync_line_on')
        : Math.abs(Date.now() - s.last_sync_at) < 60_000 ? t('sync_line_synced_just_now')
          : t('sync_line_synced', relativeTime(s.last_sync_at));
      if (s.last_sync_at !== null) title = dateTime(s.last_sync_at);
      break;
    case 'syncing':
      text = t('sync_line_syncing');
      break;
    case 'backing_off':
      tone = 'warn';
      // Under a minute away relativeTime says "now", which the retry is not yet: "soon".
      text = s.next_attempt_at !== null && s.next_attempt_at - Date.now() >= 60_000
        ? t('sync_line_retrying', relativeTime(s.next_attempt_at)) : t('sync_line_retrying_soon');
      title = s.last_error?.message ?? '';
      break;
    case 'vault_locked':
      tone = 'warn';
      text = t('sync_line_vault_locked');
      break;
    default:
      tone = 'bad';
      // "error" is the agent's state that only a new `dealstack sync login` ends (a token the
      // server refused, or none left in the vault), whatever the code (docs/sync.md).
      text = t('sync_line_login_again');
      title = s.last_error ? `${s.last_error.code}: ${s.last_error.message}` : '';
  }
  node.hidden = false;
  node.className = `sync-line small ${tone}`;
  node.title = title;
  const details = el('button', { type: 'button', class: 'link', id: 'sync-details', 'aria-label': t('sync_line_details_aria') }, t('sync_line_details'));
  details.addEventListener('click', () => openOptions());
  replace(node, [el('span', { class: 'dot', 'aria-hidden': 'true' }), el('span', { id: 'sync-text' }, text), details]);
}

async function loadSync(): Promise<void> {
  const r = await send({ type: 'sync.status' });
  syncStatus = r.ok ? r.value : null;
  renderSyncLine();
}

// ---- the whole popup -------------------------------------------------------------------

function renderBanner(node: HTMLElement, reply: TabReply): void {
  const core = reply.core;
  if (core.state !== 'failed') {
    replace(node, []);
    return;
  }
  replace(node, el('div', { class: 'notice bad banner', role: 'alert', id: 'core-failed' }, [
    el('strong', {}, t('core_failed_title')),
    el('p', { class: 'small' }, t('core_failed_body')),
    el('p', { class: 'small muted-on-bad' }, [el('code', {}, core.error.code), ' ', core.error.message]),
  ]));
}

function render(): void {
  const reply = view.reply;
  if (!reply) return;
  const state = reply.state;
  const watchKey = { w: watchRules(state?.watch ?? null), h: reply.host.state, p: state?.product?.price ?? null, u: state?.url, has: !!state?.product };
  section('banner', reply.core, (n) => renderBanner(n, reply));
  section('product', { p: state?.product ?? null, e: state?.product_error ?? null, r: state?.retailer }, (n) => renderProduct(n, state));
  section('stack', { s: state?.stack ?? null, e: state?.stack_error ?? null, c: state?.offer_count, h: reply.host.state === 'connected', p: !!state?.product }, (n) => renderStack(n, state, reply.host));
  section('history', { h: reply.history, w: state?.watch?.id ?? null, l: state?.watch?.last_check_at ?? null, n: state?.stack?.net ?? null, p: !!state?.product, m: minuteTick }, (n) => renderHistory(n, reply));
  section('watch', watchKey, (n) => renderWatch(n, state, reply.host));
  section('alerts', { a: reply.alerts, m: minuteTick }, (n) => renderAlerts(n, reply.alerts));
  section('host', { h: reply.host, m: minuteTick }, (n) => renderHost(n, reply.host));
  section('sync-line', { s: syncStatus, h: reply.host.state, m: minuteTick }, () => renderSyncLine());
  const main = byId('main');
  main.removeAttribute('aria-busy');
  main.dataset.ready = 'true';
}

function renderFatal(message: string): void {
  const retry = el('button', { type: 'button', class: 'primary', onclick: () => void load() }, t('retry'));
  byId('main').removeAttribute('aria-busy');
  replace(byId('product'), el('div', { class: 'notice bad', role: 'alert', id: 'popup-error' }, [
    el('strong', {}, t('popup_failed_title')),
    el('p', { class: 'small' }, message),
    retry,
  ]));
}

async function load(): Promise<void> {
  if (view.tabId === null) {
    view.reply = null;
    // No tab (a popup opened on its own): the host's state is still worth showing.
    const [host, core] = await Promise.all([send({ type: 'host.status' }), send({ type: 'core.status' })]);
    if (!host.ok) { renderFatal(host.error.message); return; }
    view.reply = { state: null, host: host.value, core: core.ok ? core.value : { state: 'loading' }, alerts: [], history: null };
    render();
    return;
  }
  const reply = await send({ type: 'tab.state', tab_id: view.tabId });
  if (!reply.ok) {
    renderFatal(reply.error.message);
    return;
  }
  view.reply = reply.value;
  render();
}

/** Asks for tab.state again soon: broadcasts in a burst make one request, and one arriving
 *  while a request is on its way queues a single one after it (never one per broadcast). */
const refresh = coalesced(() => load(), 80);
function scheduleRefresh(): void {
  void refresh();
}

/** Bumped each minute so the "5 minutes ago" texts move on. */
let minuteTick = 0;

async function main(): Promise<void> {
  localizePage();
  byId('open-options').title = t('open_options');
  byId('open-options').addEventListener('click', () => openOptions());
  onBroadcast((b) => {
    const state = view.reply?.state;
    switch (b.type) {
      case 'host.changed':
        applyHost(b.host);
        break;
      case 'tab.changed':
        if (b.tab_id === view.tabId) scheduleRefresh();
        break;
      case 'watch.changed':
        if (!state) break;
        if ((b.watch && b.watch.url === state.url) || (b.removed !== null && b.removed === state.watch?.id)) scheduleRefresh();
        break;
      case 'alert':
        announce(t('alert_new', b.alert.message));
        scheduleRefresh();
        break;
      case 'sync.changed':
        syncStatus = b.sync;
        renderSyncLine();
        break;
      default:
        break;
    }
  });
  setInterval(() => { minuteTick += 1; render(); }, 60000);
  view.tabId = await targetTabId();
  await load();
  // After the first paint: the sync line is the least important thing in the popup.
  await loadSync();
}

void main();
