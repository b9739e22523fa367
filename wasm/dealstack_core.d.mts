// Types of dealstack_core.mjs, hand-written (.d.mts: TypeScript looks for X.d.mts beside an
// X.mjs). The wire shapes are those of shared/price/price_json.hpp and
// shared/extract/product_json.hpp: the same JSON the CLI `dealstack price|extract` prints.

/** An Error with a stable snake_case code. Codes thrown by this module:
 *  - from the core: "empty_input", "input_too_large", "no_product", "invalid_options"
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
  /** Field name -> where its value came from: "json-ld", "microdata", "meta", "heuristic", "url". */
  sources: Record<string, string>;
  /** Field name -> confidence 0..100. */
  confidence: Record<string, number>;
}

export interface DealstackCore {
  /** The binding ABI version the loader and the .wasm agreed on. */
  readonly abiVersion: number;
  /** Reads a price from text. Strings are encoded as UTF-8; a Uint8Array is passed as is
   *  (invalid UTF-8 allowed). Throws DealstackError ("invalid_options", ...). */
  parsePrice(text: string | Uint8Array, options?: PriceOptions): ParsedPrice;
  /** parsePrice's JSON text, exactly as the core serialized it. */
  parsePriceJson(text: string | Uint8Array, options?: PriceOptions): string;
  /** Reads the page's main product; `url` (default '') resolves relative links.
   *  Throws DealstackError ("empty_input", "input_too_large", "no_product", ...). */
  extractProduct(html: string | Uint8Array, url?: string): Product;
  /** extractProduct's JSON text, byte-identical to `dealstack extract --url URL FILE`. */
  extractProductJson(html: string | Uint8Array, url?: string): string;
}

/** Compiles and instantiates dealstack_core.wasm. Rejects with DealstackError
 *  "wasm_load_failed" when the file is missing, corrupt or from another build. */
export function load(options?: LoadOptions): Promise<DealstackCore>;
export default load;
