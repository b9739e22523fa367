// Types of dealstack_core.mjs, hand-written (.d.mts: TypeScript looks for X.d.mts beside an
// X.mjs). The wire shapes are those of shared/price/price_json.hpp,
// shared/extract/product_json.hpp and shared/stacking/{request_json,result_json}.cpp: the
// same JSON the CLI `dealstack price|extract|stack` reads and prints.

/** An Error with a stable snake_case code. Codes thrown by this module:
 *  - from the core: "empty_input", "input_too_large", "no_product", "invalid_options";
 *    a rule pack's: "invalid_rule_pack", "rule_pack_too_large",
 *    "unsupported_rule_pack_format", "invalid_selector" (the message names the field);
 *    the stacker's: "invalid_json", "input_too_large", "missing_field", "invalid_field",
 *    "amount_out_of_range", "unknown_currency", "currency_mismatch", "unknown_offer_kind",
 *    "unknown_offer", "duplicate_id", "too_many_offers", "too_many_lines",
 *    "search_too_large" (the message names the field: "offers[3].discount.percent: ...")
 *  - from the loader: "wasm_load_failed" (missing, corrupt or mismatched .wasm),
 *    "invalid_argument" (wrong argument type), "out_of_memory",
 *    "internal_error" (the module trapped; the next call uses a fresh instance). */
export class DealstackError extends Error {
  readonly name: 'DealstackError';
  readonly code: string;
}

export interface LoadOptions {
  /** Where the module comes from. Default: new URL('./dealstack_core.wasm', import.meta.url),
   *  fetched in a browser or extension, read with node:fs for a file: URL under node. */
  wasm?: URL | string | ArrayBuffer | ArrayBufferView | Response | WebAssembly.Module;
}

export interface PriceOptions {
  /** Text near the price that may name its currency. Default: none. */
  currencyHint?: string;
  /** Forces the decimal separator. Default (undefined/null/''): inferred. */
  decimalSeparator?: '.' | ',' | '' | null;
  /** The page's BCP 47 locale ("en-US", "de"). Default: unknown. */
  locale?: string;
}

export interface ParsedPrice {
  /** Exact decimal amount as a string ("1299.99"); null when the text holds no price. */
  amount: string | null;
  /** ISO 4217 code when it can be inferred ("EUR"), else null. */
  currency: string | null;
  /** The currency as the text shows it ("€", "US$"), else null. */
  currency_text: string | null;
  /** The substring the amount was read from ("1,299.99"), else null. */
  amount_text: string | null;
}

export type Availability =
  | 'Unknown' | 'InStock' | 'OutOfStock' | 'PreOrder' | 'BackOrder'
  | 'LimitedAvailability' | 'Discontinued' | 'SoldOut';

export interface Price {
  /** Exact decimal amount as a string, '.' separator, no grouping, never a float ("1299.99"). */
  amount: string;
  /** ISO 4217 code ("EUR"); null when it can't be inferred. */
  currency: string | null;
  /** The currency as the page shows it ("€", "US$"); null when none was shown. */
  currency_text: string | null;
}

/** One offer seen on the page (a variant, a seller, a condition). null: not given. */
export interface Offer {
  price: Price | null;
  availability: Availability;
  sku: string | null;
  gtin: string | null;
  name: string | null;
  url: string | null;
  /** "NewCondition", "UsedCondition", "RefurbishedCondition", ... */
  condition: string | null;
  seller: string | null;
  /** Variant attributes: {"color": "red"}. */
  attributes: Record<string, string>;
}

/** The product read from a page (to_json(Product) in shared/extract/product_json.cpp).
 *  Every field is present; null where the page doesn't give it. */
export interface Product {
  name: string | null;
  brand: string | null;
  sku: string | null;
  /** Digits only, check digit validated (8, 12, 13 or 14 digits). */
  gtin: string | null;
  mpn: string | null;
  /** Absolute URL. */
  image: string | null;
  /** Canonical URL (absolute). */
  url: string | null;
  price: Price | null;
  /** The "was"/regular price when the page shows one. */
  list_price: Price | null;
  /** 'Unknown' when the page doesn't say (never guessed). */
  availability: Availability;
  condition: string | null;
  seller: string | null;
  offers: Offer[];
  /** Field name -> where its value came from: "json-ld", "microdata", "meta", "shop-data",
   *  "heuristic", "url", or "rules" (a rule pack given to extractProduct). */
  sources: Record<string, string>;
  /** Field name -> confidence 0..100. */
  confidence: Record<string, number>;
}

/** How a rule pack reads one field: exactly one of `selector` and `value`. */
export interface FieldRule {
  /** CSS subset: type, *, .class, #id, [attr], [attr=value], ' ', '>', ','; at most 256
   *  bytes and 16 compounds. The first match in document order is read. */
  selector?: string;
  /** A constant: currency (ISO 4217) and brand only. */
  value?: string;
  /** Read this attribute of the element instead of its text. */
  attribute?: string;
  /** price and list_price only. Default: inferred. */
  decimal_separator?: '.' | ',';
  /** availability only: phrase (any case) -> "InStock", "OutOfStock", ...; the first phrase,
   *  in the pack's order, that the text contains wins. */
  map?: Record<string, Availability>;
}

/** A retailer's extraction rule pack, format 1 (docs/rules.md,
 *  docs/schemas/rule-pack.schema.json). */
export interface RulePack {
  format: 1;
  /** The shop's host name ("shop.example"). */
  retailer: string;
  /** >= 1. */
  version: number;
  /** The hosts whose pages the pack reads (1 to 32). */
  hosts: string[];
  /** Default 'structured': JSON-LD and microdata stay preferred over the pack. */
  prefer?: 'structured' | 'rules';
  /** BCP 47 tag for reading the pack's prices. Default: the page's. */
  locale?: string;
  description?: string;
  fields: Partial<Record<'name' | 'brand' | 'sku' | 'gtin' | 'mpn' | 'image' | 'price' | 'list_price'
    | 'currency' | 'availability', FieldRule>>;
}

// ---------------------------------------------------------------------------------------
// The deal stacker (stackDeals). Money is ALWAYS a decimal string in the cart's currency
// ("19.99"; never a JSON number: money is exact), with at most the currency's decimals.
// A percentage is a decimal string or a whole number ("12.5", 15), at most 4 decimals.

/** A decimal amount in the cart currency, e.g. "19.99". */
export type MoneyString = string;
/** A percentage from 0 to 100 (unless noted), "12.5" or 15; at most 4 decimals. */
export type Percent = string | number;
export type AmountBasis = 'after_discounts' | 'before_discounts';
export type DiscountClass = 'product' | 'order' | 'shipping';

export interface CartLine {
  sku?: string;
  name?: string;
  unit_price: MoneyString;
  /** 1..1,000,000. Default 1. */
  quantity?: number;
  /** Matched exactly by offer scopes ("shoes", "brand:acme"). */
  tags?: string[];
  /** When given, must be the cart's currency ("currency_mismatch"). */
  currency?: string;
}

export interface ShippingOptionRequest {
  id: string;
  name?: string;
  price: MoneyString;
  /** Shipping is free when the merchandise reaches this. Default: never. */
  free_over?: MoneyString;
  /** Default 'after_discounts'. */
  free_over_basis?: AmountBasis;
}

export interface Cart {
  /** ISO 4217 code ("USD"); every amount in the request is in it. */
  currency: string;
  /** Offers naming another retailer are set aside ("ignored", reason "other_retailer"). */
  retailer?: string;
  /** 1..1000 lines. */
  lines: CartLine[];
  /** Up to 50; none: no shipping charge. The stacker picks the option. */
  shipping_options?: ShippingOptionRequest[];
  tax?: {
    percent: Percent;
    /** Default 'after_discounts'. */
    basis?: AmountBasis;
    /** Default false. */
    shipping_taxable?: boolean;
  };
}

export interface RetailerRules {
  /** Presets: shopify (order shopify, max_codes 6, product/order 5, shipping 1);
   *  woocommerce (order woocommerce, percent_basis original). Default 'generic'. */
  platform?: 'generic' | 'shopify' | 'woocommerce';
  /** Default 'entry' (promotions first, then codes in the order entered; the stacker picks). */
  application_order?: 'entry' | 'woocommerce' | 'shopify';
  /** Default 'compounded' (each percentage on what is left). */
  percent_basis?: 'compounded' | 'original';
  rounding?: {
    /** Default 'half_up'. */
    mode?: 'half_up' | 'half_even';
    /** Default 'order' (a discount's total rounded once, spread by largest remainder). */
    scope?: 'order' | 'line';
  };
  /** Codes per order, 0..100; promotions don't count. Default 1. */
  max_codes?: number;
  /** 0..100. Default unlimited. */
  max_product_order_codes?: number;
  /** 0..100. Default unlimited. */
  max_shipping_codes?: number;
  /** Gift cards per order, all sources together, 0..100. Default unlimited. */
  max_gift_cards?: number;
}

export interface DiscountTier {
  /** On the eligible lines before discounts. Default "0". */
  min_spend?: MoneyString;
  /** Default 0. */
  min_quantity?: number;
  /** Exactly one of amount and percent. */
  amount?: MoneyString;
  percent?: Percent;
}

export type Discount =
  | { type: 'percent'; percent: Percent }
  /** per: 'order' (default; spread proportionally over the eligible lines) or 'unit'. */
  | { type: 'amount'; amount: MoneyString; per?: 'order' | 'unit' }
  /** Each eligible unit costs `price`. */
  | { type: 'fixed_price'; price: MoneyString }
  /** Every full group of buy+get eligible units makes `get` of the cheapest `percent` off
   *  (default 100); max_uses groups (default 0 = no limit). buy, get: 1..1000. */
  | { type: 'buy_x_get_y'; buy: number; get: number; percent?: Percent; max_uses?: number }
  /** The highest tier reached before discounts; 1..20 tiers. */
  | { type: 'tiered'; tiers: DiscountTier[] }
  /** Only these shipping option ids (default: all). */
  | { type: 'free_shipping'; shipping_options?: string[] };

export interface OfferScope {
  skus?: string[];
  tags?: string[];
  exclude_skus?: string[];
  exclude_tags?: string[];
}

interface OfferBase {
  /** Unique among the request's offers ("duplicate_id"). */
  id: string;
  /** When given, must be the cart's currency ("currency_mismatch"). */
  currency?: string;
  /** Another retailer than the cart's: the offer is ignored. */
  retailer?: string;
}

/** A coupon code (kind 'code') or an automatic promotion (kind 'promotion'). */
export interface DiscountOfferRequest extends OfferBase {
  kind: 'code' | 'promotion';
  /** Required for kind 'code' (at most 100 bytes). */
  code?: string;
  label?: string;
  discount: Discount;
  /** None: every line. */
  scope?: OfferScope;
  /** Default: 'shipping' for free_shipping, 'product' for buy_x_get_y or a scope with
   *  skus/tags, else 'order'. */
  class?: DiscountClass;
  /** Eligible lines' subtotal before discounts. Default "0". */
  min_spend?: MoneyString;
  /** Eligible units. Default 0. */
  min_quantity?: number;
  /** Caps the offer's total. Default: no cap. */
  max_discount?: MoneyString;
  /** Absent: combines with every class; present: only the classes set to true. */
  combines_with?: { product?: boolean; order?: boolean; shipping?: boolean };
  /** Combines with no other discount. Default false. */
  exclusive?: boolean;
  /** Ids of offers this one never combines with. */
  not_with?: string[];
}

/** Exactly one of amount and percent. */
export interface Back {
  amount?: MoneyString;
  percent?: Percent;
}

export interface PortalOfferRequest extends OfferBase {
  kind: 'portal';
  name?: string;
  /** Percent of the merchandise after discounts, or a fixed amount per order. */
  cashback: Back;
  cap?: MoneyString;
  /** The gift-card-paid part earns nothing. Default false. */
  excludes_gift_cards?: boolean;
  /** Codes the portal allows (case-insensitive). Default: any code. */
  listed_codes?: string[];
  /** With listed_codes: another code voids the cashback. Default true. */
  unlisted_codes_void?: boolean;
  /** 0..3650. Default 0. */
  pending_days?: number;
  /** Default false. */
  clawback_on_returns?: boolean;
}

export interface CardOfferRequest extends OfferBase {
  kind: 'card_offer';
  label?: string;
  /** A wallet card id; other cards' offers are ignored ("card_not_in_wallet"). */
  card: string;
  back: Back;
  /** On the amount charged to the card. Default "0". */
  min_spend?: MoneyString;
  cap?: MoneyString;
  /** Payment paths that void the offer ("paypal", "apple_pay"). */
  excluded_payment_paths?: string[];
  /** 0..3650. Default 0. */
  pending_days?: number;
}

export interface GiftCardOfferRequest extends OfferBase {
  kind: 'gift_card';
  source?: string;
  label?: string;
  /** Prices each denomination that gives no price. */
  discount_percent?: Percent;
  /** 1..20; price required unless discount_percent is given; never above face. */
  denominations: Array<{ face: MoneyString; price?: MoneyString }>;
  /** 1..20. Default 1. */
  max_per_order?: number;
  /** Default true. */
  combines_with_codes?: boolean;
}

export type StackOffer =
  | DiscountOfferRequest | PortalOfferRequest | CardOfferRequest | GiftCardOfferRequest;

export interface StackRequest {
  cart: Cart;
  retailer?: RetailerRules;
  /** At most 5000 ("too_many_offers"). */
  offers?: StackOffer[];
  wallet?: {
    /** Up to 50. */
    cards?: Array<{
      id: string;
      name?: string;
      /** Rewards per unit charged. Default 0. */
      earn_percent?: Percent;
      /** What one unit of rewards is worth, 0..1000. Default 100. */
      reward_value_percent?: Percent;
    }>;
    /** How the shopper pays ("direct", "paypal", ...). Default "direct". */
    payment_path?: string;
  };
  preferences?: {
    /** What a unit of portal cashback is worth, 0..1000. Default 100. */
    cashback_value_percent?: Percent;
    /** Compute `alternatives`. Default true. */
    alternatives?: boolean;
    /** Compute `hints`. Default true. */
    hints?: boolean;
  };
}

export type StackStep =
  | { action: 'start_at_portal'; offer: string; label: string; saves: MoneyString;
      pending_days: number; clawback_on_returns: boolean }
  | { action: 'buy_gift_cards'; offer: string; label: string; saves: MoneyString }
  | { action: 'automatic_promotion'; offer: string; label: string; saves: MoneyString }
  | { action: 'enter_code'; offer: string; code: string; label: string; saves: MoneyString }
  | { action: 'choose_shipping'; shipping_option: string; label: string; saves: MoneyString }
  /** card: absent when no wallet card is used. */
  | { action: 'pay'; label: string; saves: MoneyString; card?: string }
  | { action: 'card_offer'; offer: string; label: string; saves: MoneyString; pending_days: number };

/** The result document (to_json in shared/stacking/result_json.cpp). Every amount is a
 *  decimal string in `currency`; every field is always present. */
export interface StackResult {
  currency: string;
  /** What the order costs in the end: gift card cost + charged - cashback - rewards - card offers. */
  net: MoneyString;
  /** list_total - net. */
  savings: MoneyString;
  stack: {
    /** Offer ids: discounts in application order, then portal, gift cards, card offers. */
    offers: string[];
    shipping_option: string | null;
    card: string | null;
    gift_cards: Array<{ offer: string; face: MoneyString; price: MoneyString; count: number }>;
  };
  /** In the order the shopper takes them; their `saves` add up to `savings`. */
  steps: StackStep[];
  totals: {
    /** Cheapest order total with no offers at all. */
    list_total: MoneyString;
    subtotal: MoneyString;
    discounts: MoneyString;
    merchandise: MoneyString;
    shipping: MoneyString;
    tax: MoneyString;
    total: MoneyString;
    gift_cards: MoneyString;
    gift_card_cost: MoneyString;
    charged_to_card: MoneyString;
    out_of_pocket: MoneyString;
    cashback: MoneyString;
    card_rewards: MoneyString;
    card_offers: MoneyString;
    net: MoneyString;
    savings: MoneyString;
  };
  /** E.g. "code_voids_cashback", "payment_path_voids_card_offer", "cashback_pending". */
  warnings: Array<{ code: string; message: string; offer: string | null; amount: MoneyString }>;
  /** At most 3: "free_shipping_threshold", "offer_min_spend", "next_tier",
   *  "card_offer_min_spend". */
  hints: Array<{ code: string; message: string; offer: string; add: MoneyString; saves: MoneyString }>;
  /** The best stack without each layer the best one uses. */
  alternatives: Array<{
    without: 'codes' | 'promotions' | 'portal' | 'card_offers' | 'gift_cards';
    net: MoneyString;
    costs_more: MoneyString;
    offers: string[];
  }>;
  /** reason: "no_eligible_line", "min_spend", "min_quantity", "no_tier". */
  not_applicable: Array<{ offer: string; reason: string; short_by: MoneyString | null }>;
  /** reason: "other_retailer", "card_not_in_wallet". */
  ignored: Array<{ offer: string; reason: string }>;
}

export interface DealstackCore {
  /** The binding ABI version the loader and the .wasm agreed on. */
  readonly abiVersion: number;
  /** Reads a price from text. Strings are encoded as UTF-8; a Uint8Array is passed as is
   *  (invalid UTF-8 allowed). Throws DealstackError ("invalid_options", ...). */
  parsePrice(text: string | Uint8Array, options?: PriceOptions): ParsedPrice;
  /** parsePrice's JSON text, exactly as the core serialized it. */
  parsePriceJson(text: string | Uint8Array, options?: PriceOptions): string;
  /** Reads the page's main product; `url` (default '') resolves relative links; `rules`
   *  (default none) is the retailer's rule pack (docs/rules.md): its JSON text or UTF-8 bytes,
   *  passed on unchanged, or an object, serialized with JSON.stringify. The caller checks
   *  that the pack is trusted (signed) and covers the page's host.
   *  Throws DealstackError ("empty_input", "input_too_large", "no_product",
   *  "invalid_rule_pack", "invalid_selector", "invalid_argument", ...). */
  extractProduct(html: string | Uint8Array, url?: string, rules?: RulePack | string | Uint8Array | null): Product;
  /** extractProduct's JSON text, byte-identical to `dealstack extract --url URL
   *  [--rules PACK.json] FILE`. */
  extractProductJson(html: string | Uint8Array, url?: string, rules?: RulePack | string | Uint8Array | null): string;
  /** The cheapest legal stack of offers for a cart. `request`: the request as JSON text
   *  (or UTF-8 bytes), sent unchanged, or an object, serialized with JSON.stringify.
   *  Throws DealstackError with the core's code ("invalid_field", "currency_mismatch",
   *  "too_many_offers", ...; the message names the field), or "invalid_argument". */
  stackDeals(request: StackRequest | string | Uint8Array): StackResult;
  /** stackDeals' JSON text, byte-identical to what `dealstack stack` prints for the same
   *  request text (minus its trailing newline). */
  stackDealsJson(requestJson: string | Uint8Array): string;
}

/** Compiles and instantiates dealstack_core.wasm. Rejects with DealstackError
 *  "wasm_load_failed" when the file is missing, corrupt or from another build. */
export function load(options?: LoadOptions): Promise<DealstackCore>;
export default load;
