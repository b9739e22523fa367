// Types of dealstack_core.mjs (hand-written; the wire shapes are those of
// shared/extract/product_json.hpp, the same JSON the CLI `dealstack extract` prints).

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
  /** Exact decimal amount as a string, never a float ("1299.99"). */
  amount: string;
  /** ISO 4217 code; may be empty/null when it can't be inferred. */
  currency: string | null;
  /** The currency as the page shows it ("€"). */
  currency_text: string | null;
}

export interface Offer {
  price?: Price | null;
  availability?: Availability;
  sku?: string;
  gtin?: string;
  name?: string;
  url?: string;
  condition?: string;
  seller?: string;
  attributes?: Array<[string, string]> | Record<string, string>;
}

export interface FieldSource {
  /** "json-ld", "microdata", "meta", "heuristic", "url". */
  source: string;
  /** 0..100. */
  confidence: number;
}

/** The product read from a page. Fields the page doesn't give may be absent or empty. */
export interface Product {
  name?: string;
  brand?: string;
  sku?: string;
  gtin?: string;
  mpn?: string;
  image?: string;
  url?: string;
  price?: Price | null;
  list_price?: Price | null;
  availability?: Availability;
  condition?: string;
  seller?: string;
  offers?: Offer[];
  sources?: Record<string, FieldSource>;
  [field: string]: unknown;
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
