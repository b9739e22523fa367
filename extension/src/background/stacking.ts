// The stacker request for one unit of a product (docs/stacking.md, StackRequest in
// dealstack_core.d.mts), from the product the page showed, the retailer's offers the agent
// holds and the shopper's wallet.
//
// With no offers (host missing, nothing imported for this shop) the stacker still runs: its
// result is then the plain price (savings "0", no steps), which the popup can show as "no
// offers known" and the badge leaves blank. So `stack` is null only when there is nothing to
// stack (no price, no currency) or the stacker refused the request (`stack_error`).

import type { Product, StackRequest, StackOffer } from '../../../wasm/dealstack_core.mjs';
import type { ErrorValue, Wallet } from '../shared/messages';
import type { AgentOffer, RetailerOffers } from './agent';

/** The shop's name as offers use it: the page's host without a leading "www.". */
export function retailerOf(pageUrl: string): string {
  try {
    return new URL(pageUrl).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** The offers this shopper can use: those needing a membership the wallet doesn't list are
 *  dropped, and gift-card offers too when the wallet says 'avoid'. `requires_membership`
 *  is ours, not the stacker's, so it is removed from what is kept. */
export function usableOffers(offers: AgentOffer[], wallet: Wallet): StackOffer[] {
  const members = new Set(wallet.memberships.map((m) => m.toLowerCase()));
  const out: StackOffer[] = [];
  for (const o of offers) {
    const { requires_membership, ...offer } = o;
    if (typeof requires_membership === 'string' && requires_membership && !members.has(requires_membership.toLowerCase()))
      continue;
    if (wallet.gift_cards === 'avoid' && offer.kind === 'gift_card') continue;
    out.push(offer as StackOffer);
  }
  return out;
}

/** The request, or an error value when the product can't be stacked (no price, no
 *  currency: the stacker needs the cart's currency). */
export function buildStackRequest(
  product: Product,
  retailer: string,
  offers: RetailerOffers,
  wallet: Wallet,
): StackRequest | ErrorValue {
  const price = product.price;
  if (!price) return { code: 'no_price', message: 'the page shows no price' };
  if (!price.currency) return { code: 'no_currency', message: "the page's currency is unknown" };
  const line: StackRequest['cart']['lines'][number] = { unit_price: price.amount, quantity: 1 };
  if (product.sku) line.sku = product.sku;
  if (product.name) line.name = product.name;
  const request: StackRequest = {
    cart: { currency: price.currency, retailer, lines: [line] },
    offers: usableOffers(offers.offers, wallet),
    wallet: { cards: wallet.cards.map((c) => ({ ...c })), payment_path: wallet.payment_path || 'direct' },
    preferences: { cashback_value_percent: wallet.cashback_value_percent || '100' },
  };
  if (offers.rules) request.retailer = offers.rules;
  return request;
}
