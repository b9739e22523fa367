#include "extract/heuristics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <unordered_map>
#include <vector>

#include "extract/gtin.hpp"
#include "extract/text_util.hpp"
#include "price/price_parser.hpp"
#include "text/utf8.hpp"

namespace dealstack {
namespace {

using html::Document;
using html::Node;
using html::NodeId;

// Price candidates are elements whose whole text is at most this long.
constexpr std::size_t kMaxPriceText = 80;
// How far (in document-order nodes) from the title we look for the product's own details.
constexpr long kMainRegionBefore = 300;
constexpr long kMainRegionAfter = 4000;


// Class, id and itemprop of an element, lower-cased and joined (for keyword checks).
// Lower-cased as "<class> <itemprop> <data-testid/test/qa> | <id>" (the id last, after
// " | ", so callers can tell it apart), or "" when the element has none of them.
std::string marks_of(const Document& doc, NodeId id) {
  std::string m;
  for (const char* a : {"class", "itemprop", "data-testid", "data-test", "data-qa"}) {
    if (const std::string* v = doc.attr(id, a)) {
      m += utf8::ascii_lower(*v);
      m.push_back(' ');
    }
  }
  if (const std::string* v = doc.attr(id, "id"); v && !v->empty()) {
    m += " | ";
    m += utf8::ascii_lower(*v);
  }
  return m;
}

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (text.find(w) != std::string_view::npos) return true;
  return false;
}

// True when one of `words` is a whole token of `marks` (tokens split at anything that
// isn't a letter or digit: "price--old" has the tokens "price" and "old").
bool has_token(std::string_view marks, std::initializer_list<std::string_view> words) {
  std::size_t i = 0;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  while (i < marks.size()) {
    while (i < marks.size() && !alnum(marks[i])) ++i;
    std::size_t j = i;
    while (j < marks.size() && alnum(marks[j])) ++j;
    const std::string_view token = marks.substr(i, j - i);
    for (auto w : words)
      if (token == w) return true;
    i = j;
  }
  return false;
}

struct Flags {
  bool hidden = false;   // display:none, hidden attribute, "hidden" class
  bool chrome = false;   // header/footer/nav/related products/carousels/cart
  bool struck = false;   // a del/s/strike or an "old price"-style element
  bool aux = false;      // savings, unit price, instalments, shipping: not the item's price
  int price_mark = -1;   // levels up to an element marked "price" (-1: none within 3)
  bool offer_mark = false;  // marked "sale"/"special"/"final"/"current" price
};

// What an element's class/id/itemprop words say about it. Pages repeat the same few hundred
// class strings thousands of times, so this is computed once per distinct string.
struct MarkBits {
  bool hidden = false, chrome = false, struck = false, aux = false, price = false, offer = false;
};

MarkBits classify_marks(const std::string& marks) {
  MarkBits b;
  if (marks.empty()) return b;
  b.hidden = has_token(marks, {"hidden", "hide", "is-hidden"}) || has_any(marks, {"d-none", "is-hidden"});
  b.chrome = has_any(marks, {"related", "recommend", "carousel", "similar", "upsell", "up-sell", "crosssell",
                             "cross-sell", "recently", "also-bought", "alsobought", "minicart", "mini-cart",
                             "cart-drawer", "newsletter", "cookie", "footer", "header", "navigation", "menu",
                             "breadcrumb", "accessor", "bundle", "sponsored", "teaser", "reco-", "slick-"});
  b.struck = has_token(marks, {"old", "was", "regular", "original", "strike", "strikethrough", "rrp", "uvp", "msrp",
                               "compare", "crossed", "before", "prev", "previous", "retail"}) ||
             has_any(marks, {"oldprice", "old-price", "old_price", "price-old", "price--old", "price_old",
                             "wasprice", "was-price", "list-price", "listprice", "regular-price", "regularprice",
                             "compare-at", "compareat", "strike", "crossed", "line-through", "price-before",
                             "original-price", "originalprice", "price--original", "price-standard"});
  b.aux = has_token(marks, {"saving", "savings", "save", "discount", "reduction", "percent", "unit", "installment",
                            "instalment", "monthly", "financing", "shipping", "delivery", "tax", "vat"}) ||
          has_any(marks, {"unit-price", "unitprice", "base-price", "baseprice", "price-per", "you-save",
                          "yousave", "price-saving", "klarna", "afterpay", "installment", "shipping"});
  b.price = has_any(marks, {"price", "preis", "prix", "precio", "preco", "prezzo", "cena", "amount"});
  b.offer = b.price &&
            (has_token(marks, {"sale", "special", "final", "current", "now", "offer", "promo", "actual", "selling",
                               "deal", "new", "reduced", "promotional", "discounted"}) ||
             has_any(marks, {"our-price", "ourprice", "saleprice", "sale-price", "price-sale", "price--sale",
                             "special-price", "specialprice", "final-price", "finalprice", "current-price",
                             "currentprice", "price-current", "price--current", "pricetopay", "price-to-pay"}));
  return b;
}

// Ids are unique per element, so they can't share the class cache: they are checked only for
// the few words shops actually put in ids.
MarkBits classify_id(std::string_view id) {
  MarkBits b;
  if (id.empty()) return b;
  const std::string l = utf8::ascii_lower(id);
  b.hidden = has_token(l, {"hidden"});
  b.chrome = has_any(l, {"related", "recommend", "carousel", "footer", "header", "navigation", "menu", "breadcrumb",
                         "upsell", "crosssell", "recently", "minicart", "newsletter", "cookie"});
  b.struck = has_any(l, {"old-price", "oldprice", "old_price", "was-price", "wasprice", "list-price", "listprice",
                         "regular-price", "regularprice", "strike"});
  b.aux = has_any(l, {"saving", "unit-price", "unitprice", "installment", "shipping"});
  b.price = has_any(l, {"price", "preis", "prix", "precio", "preco", "prezzo", "cena", "amount"});
  b.offer = b.price && has_any(l, {"sale", "special", "final", "current", "our", "deal"});
  return b;
}

std::vector<Flags> compute_flags(const Document& doc, const std::vector<std::string>& all_marks) {
  const auto& nodes = doc.nodes();
  std::vector<Flags> flags(nodes.size());
  std::unordered_map<std::string_view, MarkBits> cache;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    Flags f;
    if (n.parent != html::kNoNode) {
      const Flags& p = flags[static_cast<std::size_t>(n.parent)];
      f.hidden = p.hidden;
      f.chrome = p.chrome;
      f.struck = p.struck;
      f.aux = p.aux;
      f.price_mark = p.price_mark >= 0 && p.price_mark < 3 ? p.price_mark + 1 : -1;
      f.offer_mark = p.offer_mark && f.price_mark >= 0;
    }
    if (n.kind == Node::Kind::Element) {
      const auto id = static_cast<NodeId>(i);
      MarkBits bits;
      if (!all_marks[i].empty()) {
        // all_marks[i] is "<class> <itemprop> <data-*> | <id>": the part before " | " repeats
        // across elements and is cached; the id is checked on its own.
        const std::string_view marks = all_marks[i];
        const auto bar = marks.find(" | ");
        const std::string_view shared = marks.substr(0, bar);
        if (!shared.empty()) {
          auto it = cache.find(shared);
          if (it == cache.end()) it = cache.emplace(shared, classify_marks(std::string(shared))).first;
          bits = it->second;
        }
        if (bar != std::string_view::npos) {
          const MarkBits idb = classify_id(marks.substr(bar + 3));
          bits.hidden |= idb.hidden;
          bits.chrome |= idb.chrome;
          bits.struck |= idb.struck;
          bits.aux |= idb.aux;
          bits.price |= idb.price;
          bits.offer |= idb.offer;
        }
      }
      const std::string* style = doc.attr(id, "style");
      const std::string style_l = style ? utf8::ascii_lower(*style) : std::string{};
      const std::string_view tag = n.tag;
      if (bits.hidden || doc.attr(id, "hidden") ||
          has_any(style_l, {"display:none", "display: none", "visibility:hidden"}))
        f.hidden = true;
      if (bits.chrome || tag == "header" || tag == "footer" || tag == "nav" || tag == "aside" || tag == "select" ||
          tag == "option")
        f.chrome = true;
      if (bits.struck || tag == "del" || tag == "s" || tag == "strike" || has_any(style_l, {"line-through"}))
        f.struck = true;
      if (bits.aux) f.aux = true;
      if (bits.price) {
        f.price_mark = 0;
        if (bits.offer) f.offer_mark = true;
      }
    }
    flags[i] = f;
  }
  return flags;
}

// Text of an element's subtree for price reading: block boundaries become spaces, and
// superscript cents ("12<sup>99</sup>") get their decimal point back.
std::string price_text(const Document& doc, NodeId id) {
  std::string out;
  const auto& nodes = doc.nodes();
  const std::uint16_t base = doc.node(id).depth;
  for (std::size_t i = static_cast<std::size_t>(id); i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (i != static_cast<std::size_t>(id) && n.depth <= base) break;
    if (n.kind == Node::Kind::Element) {
      if (!html::is_inline_tag(n.tag)) out.push_back(' ');
      continue;
    }
    if (n.parent != html::kNoNode && doc.node(n.parent).tag == "sup" && !out.empty() && out.back() >= '0' &&
        out.back() <= '9') {
      const std::string t = utf8::collapse_whitespace(n.text);
      const auto tail_start = out.find_last_of(" \t\n");
      const std::string_view tail = std::string_view(out).substr(tail_start == std::string::npos ? 0 : tail_start + 1);
      if (t.size() == 2 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' &&
          tail.find_first_of(".,") == std::string_view::npos)
        out.push_back('.');
    }
    out += n.text;
    if (out.size() > kMaxPriceText * 4) break;
  }
  return utf8::collapse_whitespace(out);
}

// Counts the separate digit runs in `s` (prices have one or two: "1,299.99" counts 1).
int number_groups(std::string_view s) {
  int groups = 0;
  bool in_number = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool digit = c >= '0' && c <= '9';
    const bool joiner = in_number && (c == '.' || c == ',' || c == '\'' || c == ' ') && i + 1 < s.size() &&
                        s[i + 1] >= '0' && s[i + 1] <= '9';
    if (digit && !in_number) ++groups;
    in_number = digit || joiner;
  }
  return groups;
}

bool is_buy_control(const Document& doc, NodeId id, const std::string& marks, std::uint32_t text_len) {
  const Node& n = doc.node(id);
  if (n.tag != "button" && n.tag != "input" && n.tag != "a") return false;
  // In-page anchors ("#section-2") are navigation, never a buy control.
  if (n.tag == "a") {
    const std::string* href = doc.attr(id, "href");
    if (href && href->size() > 1 && (*href)[0] == '#') return false;
  }
  // Buy controls say so in a few words; long link texts are navigation or prose.
  if (n.tag != "input" && text_len > 60 && marks.empty()) return false;
  if (n.tag == "input") {
    const std::string* type = doc.attr(id, "type");
    if (!type) return false;
    const std::string t = utf8::ascii_lower(*type);
    if (t != "submit" && t != "button" && t != "image") return false;
  }
  std::string text;
  if (n.tag == "input") {
    if (const std::string* v = doc.attr(id, "value")) text = *v;
  } else if (text_len <= 60) {
    text = doc.text_content(id, 120);
  }
  if (const std::string* aria = doc.attr(id, "aria-label")) text += " " + *aria;
  std::string lower = utf8::lower(text);
  static constexpr std::string_view kPhrases[] = {
      "add to cart", "add to basket", "add to bag", "add to trolley", "buy now", "buy it now", "in den warenkorb",
      "in den einkaufswagen", "jetzt kaufen", "ajouter au panier", "añadir al carrito", "agregar al carrito",
      "añadir a la cesta", "comprar", "aggiungi al carrello", "in winkelwagen", "toevoegen aan winkelwagen",
      "in winkelmand", "adicionar ao carrinho", "adicionar à sacola", "do koszyka", "do košíku", "vložit do košíku",
      "в корзину", "купить", "カートに入れる", "カートへ", "加入购物车", "加入購物車", "立即购买", "장바구니",
      "sepete ekle", "lägg i varukorg", "köp", "læg i kurv", "legg i handlekurv", "kosárba", "adaugă în coș",
      "adauga in cos", "lisää ostoskoriin", "προσθήκη στο καλάθι", "thêm vào giỏ", "เพิ่มลงในรถเข็น",
      "masukkan keranjang", "add to cart"};
  if (lower.size() < 80) {
    for (auto p : kPhrases)
      if (lower.find(p) != std::string::npos) return true;
  }
  return has_any(marks, {"add-to-cart", "addtocart", "add_to_cart", "add-to-basket", "addtobasket", "add_to_basket",
                         "buy-now", "buynow", "btn-cart", "button-cart", "add-to-bag", "addtobag", "cart-button",
                         "product-form__submit"});
}

bool is_disabled(const Document& doc, NodeId id, const std::string& marks) {
  if (doc.attr(id, "disabled")) return true;
  if (const std::string* a = doc.attr(id, "aria-disabled"); a && utf8::ascii_lower(*a) == "true") return true;
  return has_any(" " + marks, {" disabled", "-disabled", "_disabled", "sold-out", "soldout", "out-of-stock"});
}

// Stock phrases, matched in lower-cased text. Out-of-stock is checked first and only near
// the product: a site-wide "sold out" badge in a carousel says nothing about this item.
constexpr std::string_view kOutOfStock[] = {
    "out of stock", "sold out", "currently unavailable", "no longer available", "not available", "unavailable",
    "ausverkauft", "nicht verfügbar", "nicht auf lager", "nicht lieferbar", "derzeit nicht", "épuisé",
    "rupture de stock", "indisponible", "plus disponible", "agotado", "sin stock", "no disponible", "esaurito",
    "non disponibile", "uitverkocht", "niet op voorraad", "niet leverbaar", "esgotado", "indisponível",
    "fora de estoque", "sem estoque", "brak w magazynie", "niedostępny", "wyprzedane", "vyprodáno",
    "není skladem", "nedostupné", "нет в наличии", "распродано", "немає в наявності", "売り切れ", "在庫切れ",
    "在庫なし", "缺货", "已售完", "售罄", "無庫存", "품절", "일시품절", "hết hàng", "stokta yok", "tükendi",
    "slutsåld", "udsolgt", "utsolgt", "loppuunmyyty", "elfogyott", "stoc epuizat", "stokta bulunmamaktadır",
    "notify me when available", "email me when available", "benachrichtigen, wenn verfügbar",
    "currently out of stock", "temporarily out of stock", "temporarily unavailable", "not in stock",
    "momentálne nedostupn", "nedostupn", "vypredan", "nie je skladom", "nie je na sklade", "není skladem",
    "tymczasowo niedostępny", "brak towaru", "produkt niedostępny", "nicht vorrätig", "vergriffen",
    "momentan nicht verfügbar", "non disponible", "nincs készleten", "indisponibil", "nu este în stoc",
    "εξαντλημένο", "μη διαθέσιμο", "nema na stanju", "ni na zalogi", "rasprodano", "razprodano",
    "hết hàng", "สินค้าหมด", "habis", "stok habis"};
constexpr std::string_view kInStock[] = {
    "in stock", "available now", "ships today", "auf lager", "sofort lieferbar", "lieferbar", "en stock",
    "disponible", "en existencia", "disponibile", "op voorraad", "em estoque", "disponível", "na stanie",
    "dostępny", "skladem", "на складе", "в наличии", "є в наявності", "在庫あり", "有货", "现货", "有庫存",
    "재고 있음", "còn hàng", "stokta", "i lager", "på lager", "varastossa", "raktáron", "în stoc"};

// "SKU: 12345" style labels and what follows them.
constexpr std::string_view kSkuLabels[] = {
    "sku", "art.-nr", "art.nr", "artikelnummer", "artikel-nr", "artikelnr", "art. nr", "item #", "item no",
    "item number", "item code", "product code", "product id", "product no", "product number", "prod. no",
    "référence", "réf.", "ref.", "reference", "código", "cód.", "codice", "cod. articolo", "kod produktu",
    "kod towaru", "numer katalogowy", "katalogové číslo", "kód produktu", "артикул", "код товара", "商品番号",
    "品番", "商品编号", "货号", "상품번호", "ürün kodu", "stock code", "style #", "style no", "model #",
    "model no", "part #", "part number", "varenr", "varenummer", "artikelnr.", "tuotenumero", "cikkszám", "код",
    "kód", "šifra", "koodi"};

bool code_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
         c == '.' || c == '/';
}

// The product code right after a label in `text` (lower-cased copy in `lower`), or "".
// Calls `read(i, label)` with the index just past each occurrence of each label that starts
// a word in `lower` (labels in order of preference); the first non-empty result wins.
template <typename Read>
std::string first_after_label(const std::string& lower, std::span<const std::string_view> labels, Read read) {
  for (auto label : labels) {
    for (std::size_t from = 0;;) {
      const auto at = lower.find(label, from);
      if (at == std::string::npos) break;
      from = at + label.size();
      if (at > 0 && std::isalnum(static_cast<unsigned char>(lower[at - 1]))) continue;
      std::string value = read(at + label.size(), label);
      if (!value.empty()) return value;
    }
  }
  return {};
}

std::string code_after_labels(const std::string& text, const std::string& lower,
                              std::span<const std::string_view> labels) {
  return first_after_label(lower, labels, [&](std::size_t i, std::string_view label) -> std::string {
    // A whole-word label: "sku", not the start of "skull"; "ref." may run into the code.
    if (i < lower.size() && std::isalpha(static_cast<unsigned char>(lower[i])) && label.back() != '.') return {};
    while (i < text.size() && (text[i] == ':' || text[i] == '#' || text[i] == ' ' || text[i] == '.' ||
                               text[i] == '-' || text[i] == '=' || text[i] == '|'))
      ++i;
    std::size_t j = i;
    while (j < text.size() && code_char(text[j]) && j - i < 40) ++j;
    while (j > i && (text[j - 1] == '.' || text[j - 1] == '-' || text[j - 1] == '/')) --j;
    std::string code = text.substr(i, j - i);
    const bool has_digit = std::any_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    return code.size() >= 3 && has_digit ? code : std::string{};
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view leading_digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  return s.substr(0, n);
}

std::string_view trailing_digits(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9') --n;
  return s.substr(n);
}

// Product ids that shops put in their URLs: Amazon's ASIN ("/dp/B00..."), an id query
// parameter ("?pid=123", "products_id/123"), a numeric path segment ("/item/123",
// "/deal/123_name"), or a number ending the last segment ("-iid-1021493409", "x3410048.php",
// "-14347.html"). Ids need at least 5 digits, so sizes and years don't pass.
std::string sku_from_url(std::string_view url) {
  for (std::string_view marker : {"/dp/", "/gp/product/", "/gp/aw/d/"}) {
    const auto at = url.find(marker);
    if (at == std::string_view::npos) continue;
    std::string_view rest = url.substr(at + marker.size());
    std::size_t n = 0;
    while (n < rest.size() && ((rest[n] >= 'A' && rest[n] <= 'Z') || (rest[n] >= '0' && rest[n] <= '9'))) ++n;
    if (n == 10) return std::string(rest.substr(0, 10));
  }
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  rest = rest.substr(slash);
  rest = rest.substr(0, rest.find('#'));
  const auto q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
  // Query parameters that name the product.
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = utf8::ascii_lower(kv.substr(0, eq));
    const std::string_view value = kv.substr(eq + 1);
    if ((key == "pid" || key == "sku" || key == "productid" || key == "product_id" || key == "products_id" ||
         key == "itemid" || key == "item_id" || key == "id_product") &&
        all_digits(value) && value.size() >= 4)
      return std::string(value);
  }
  std::vector<std::string_view> segments;
  for (std::size_t i = 0; i < path.size();) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) segments.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  static constexpr std::string_view kIdKeys[] = {"p", "prod", "product", "products", "products_id", "item", "itm",
                                                 "items", "deal", "goods", "artikel", "article", "produkt",
                                                 "produit", "producto", "pd", "sku", "id"};
  for (std::size_t k = 0; k + 1 < segments.size(); ++k) {
    const std::string key = utf8::ascii_lower(segments[k]);
    if (std::find(std::begin(kIdKeys), std::end(kIdKeys), key) == std::end(kIdKeys)) continue;
    std::string_view id = leading_digits(segments[k + 1]);
    if (id.size() >= 5 && (id.size() == segments[k + 1].size() || segments[k + 1][id.size()] == '_' ||
                           segments[k + 1][id.size()] == '-' || segments[k + 1][id.size()] == '.'))
      return std::string(id);
  }
  if (segments.empty()) return {};
  std::string_view last = segments.back();
  for (std::string_view ext : {".html", ".htm", ".php", ".aspx"}) {
    if (last.size() > ext.size() && utf8::ascii_lower(last.substr(last.size() - ext.size())) == ext) {
      last.remove_suffix(ext.size());
      break;
    }
  }
  if (all_digits(last) && last.size() >= 5) return std::string(last);
  std::string_view tail = trailing_digits(last);
  if (tail.size() >= 5 && tail.size() < last.size()) {
    const char before = last[last.size() - tail.size() - 1];
    if (before == '-' || before == '_' || before == 'x' || before == '=') return std::string(tail);
  }
  return {};
}

// The short value after a label in the region text, where blocks are separated by " | "
// ("Brand | Tefal", "Marke: Tefal"). Empty when there is none or it is long prose.
std::string value_after_labels(const std::string& text, const std::string& lower,
                               std::span<const std::string_view> labels) {
  return first_after_label(lower, labels, [&](std::size_t i, std::string_view) -> std::string {
    if (i < lower.size() && std::isalnum(static_cast<unsigned char>(lower[i]))) return {};
    // The label must end its block or be followed by ':' (so "brand new" isn't a label).
    std::size_t k = i;
    while (k < text.size() && text[k] == ' ') ++k;
    if (k >= text.size() || (text[k] != ':' && text[k] != '|')) return {};
    while (k < text.size() && (text[k] == ':' || text[k] == '|' || text[k] == ' ')) ++k;
    std::size_t end = text.find(" |", k);
    if (end == std::string::npos) end = text.size();
    std::string value = utf8::collapse_whitespace(text.substr(k, end - k));
    return !value.empty() && value.size() <= 40 && value.find(':') == std::string::npos ? value : std::string{};
  });
}


}  // namespace

VisibleFacts read_visible_facts(const Document& doc, std::string_view expected_name, std::string_view url,
                                std::string_view locale) {
  VisibleFacts facts;
  const auto& nodes = doc.nodes();
  if (nodes.empty()) return facts;
  // Per node, computed once: class/id/itemprop marks (lower case), subtree text size and
  // whether the subtree's text holds a digit (bottom-up: children have larger ids).
  std::vector<std::string> marks(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].kind == Node::Kind::Element && nodes[i].attr_count > 0) marks[i] = marks_of(doc, static_cast<NodeId>(i));
  const std::vector<Flags> flags = compute_flags(doc, marks);
  std::vector<std::uint32_t> text_len(nodes.size(), 0);
  std::vector<bool> has_digit(nodes.size(), false);
  for (std::size_t i = nodes.size(); i-- > 0;) {
    if (nodes[i].kind == Node::Kind::Text) {
      text_len[i] = static_cast<std::uint32_t>(nodes[i].text.size());
      has_digit[i] = nodes[i].text.find_first_of("0123456789") != std::string::npos;
    }
    if (nodes[i].parent != html::kNoNode) {
      const auto parent = static_cast<std::size_t>(nodes[i].parent);
      text_len[parent] = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{text_len[parent]} + text_len[i], UINT32_MAX));
      if (has_digit[i]) has_digit[parent] = true;
    }
  }

  // Title: the h1 most like the expected name; else the first visible h1.
  int best_title = -1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].tag != "h1" || text_len[i] == 0 || text_len[i] > 600) continue;
    const auto id = static_cast<NodeId>(i);
    std::string t = doc.text_content(id, 400);
    if (t.empty()) continue;
    int score = (flags[i].hidden ? 0 : 20) + (flags[i].chrome ? 0 : 10);
    if (has_any(marks[i], {"title", "product", "name"})) score += 15;
    if (has_any(marks[i], {"error", "success", "message", "modal", "popup", "dialog", "logo"})) score -= 25;
    if (!expected_name.empty()) score += word_overlap(t, expected_name, 3);
    if (score > best_title) {
      best_title = score;
      facts.title = std::move(t);
      facts.title_node = id;
    }
  }

  // Buy button.
  long buy_node = -1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind != Node::Kind::Element || flags[i].chrome) continue;
    const auto id = static_cast<NodeId>(i);
    if (!is_buy_control(doc, id, marks[i], text_len[i])) continue;
    const bool disabled = is_disabled(doc, id, marks[i]) || flags[i].hidden;
    // "Select a size" / "Größe wählen": disabled until a variant is chosen, which says
    // nothing about stock.
    if (disabled) {
      const std::string label = utf8::lower(doc.text_content(id, 120));
      if (has_any(label, {"select", "choose", "size", "wählen", "auswählen", "choisir", "choisissez", "selecciona",
                          "elige", "scegli", "seleziona", "kies", "selecione", "escolha", "wybierz", "vyberte",
                          "выберите", "選択", "选择", "선택"}))
        continue;
    }
    if (!facts.buy_button || (facts.buy_button_disabled && !disabled)) {
      facts.buy_button = true;
      facts.buy_button_disabled = disabled;
      buy_node = static_cast<long>(i);
    }
    if (!disabled) break;
  }

  const long title_at = facts.title_node == html::kNoNode ? -1 : facts.title_node;
  const long anchor = title_at >= 0 ? title_at : buy_node;
  auto in_main_region = [&](std::size_t i) {
    if (anchor < 0) return true;
    const long d = static_cast<long>(i) - anchor;
    return d >= -kMainRegionBefore && d <= kMainRegionAfter;
  };

  // Price candidates.
  struct Candidate {
    Price price;
    int score;
    bool struck;
    std::size_t at;
  };
  std::vector<Candidate> candidates;
  PriceOptions options;
  options.locale = locale;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != Node::Kind::Element || !has_digit[i] || text_len[i] > kMaxPriceText) continue;
    if (n.parent != html::kNoNode && text_len[static_cast<std::size_t>(n.parent)] == text_len[i] &&
        flags[i].struck == flags[static_cast<std::size_t>(n.parent)].struck)
      continue;  // the same text as its parent: the parent stands for it
    if (n.tag == "script" || n.tag == "title" || n.tag == "option" || n.tag == "h1") continue;
    const Flags& f = flags[i];
    if (f.hidden) continue;
    const auto id = static_cast<NodeId>(i);
    std::string text = price_text(doc, id);
    if (text.find_first_of("0123456789") == std::string::npos) continue;
    // Without a price mark a candidate needs a currency, and text made only of ASCII digits,
    // spaces and punctuation other than '$' has none ("[12]", "2019", "1/3"): skip parsing.
    if (f.price_mark < 0 && std::all_of(text.begin(), text.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return u < 0x80 && c != '$' && !std::isalpha(u);
        }))
      continue;
    ParsedPrice p = parse_price(text, options);
    if (!p.amount || p.amount->units <= 0) continue;
    const bool has_currency = !p.currency_text.empty();
    if (!has_currency && f.price_mark < 0) continue;
    int score = 0;
    if (has_currency) score += 25;
    if (f.price_mark >= 0) score += 25 - 5 * f.price_mark;
    if (f.offer_mark) score += 10;
    const std::string lower = utf8::lower(text);
    const std::size_t noise = text.size() - std::min(text.size(), p.amount_text.size() + p.currency_text.size());
    score -= static_cast<int>(std::min<std::size_t>(noise, 40) / 2);
    if (number_groups(text) > 1) score -= 15;
    if (has_any(lower, {"shipping", "delivery", "versand", "livraison", "envío", "envio", "frete", "spedizione",
                        "save ", "you save", "sparen", "économisez", "ahorra", "% off", "per month", "/mo",
                        "/month", "monatlich", "par mois", "al mes", "installment", "cuotas", "parcelas", "x de",
                        "rate da", "raty", "free over", "orders over", "min. order"}))
      score -= 25;
    if (lower.find('%') != std::string::npos) score -= 15;
    if (f.chrome) score -= 40;
    if (f.aux) score -= 35;
    if (anchor >= 0) {
      const long d = static_cast<long>(i) - anchor;
      if (d >= 0 && d <= 600) score += 30 - static_cast<int>(d / 30);
      else if (d < 0 && d >= -150) score += 10;
      else if (d > 3000 || d < -1500) score -= 15;
    }
    if (buy_node >= 0) {
      const long d = std::labs(static_cast<long>(i) - buy_node);
      if (d <= 400) score += 15 - static_cast<int>(d / 40);
    }
    Price price{*p.amount, p.currency, p.currency_text};
    candidates.push_back({std::move(price), score, f.struck, i});
    if (candidates.size() > 5000) break;
  }
  // A struck/"old" price with no current price beside it is the price (shops name their
  // live price "price-old-live" too): it competes like any other, a little behind.
  for (Candidate& c : candidates) {
    if (!c.struck) continue;
    const bool has_partner = std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& o) {
      return !o.struck && std::labs(static_cast<long>(o.at) - static_cast<long>(c.at)) <= 80;
    });
    if (!has_partner) {
      c.struck = false;
      c.score -= 10;
    }
  }
  const Candidate* best = nullptr;
  for (const Candidate& c : candidates) {
    if (c.struck) continue;
    if (!best || c.score > best->score) best = &c;
  }
  if (best) {
    // Rivals repeat the best price's markup (same tag and class, as tiles of a grid do)
    // with other amounts and nearly as good a score.
    for (const Candidate& c : candidates)
      if (!c.struck && &c != best && c.score >= best->score - 15 && !(c.price.amount == best->price.amount) &&
          nodes[c.at].tag == nodes[best->at].tag && marks[c.at] == marks[best->at])
        ++facts.rival_prices;
  }
  if (best && best->score >= 30) {
    facts.price = best->price;
    facts.price_score = std::clamp(best->score, 0, 100);
    // The regular price: a struck candidate close to the chosen one, higher, same currency.
    const Candidate* was = nullptr;
    for (const Candidate& c : candidates) {
      if (!c.struck) continue;
      const long d = std::labs(static_cast<long>(c.at) - static_cast<long>(best->at));
      if (d > 60 || !(best->price.amount < c.price.amount)) continue;
      if (!c.price.currency.empty() && !best->price.currency.empty() && c.price.currency != best->price.currency)
        continue;
      if (!was || d < std::labs(static_cast<long>(was->at) - static_cast<long>(best->at))) was = &c;
    }
    if (was) facts.list_price = was->price;
  }

  // Stock phrases and product codes: in the visible text of the main region.
  std::string region_text;
  for (std::size_t i = 0; i < nodes.size() && region_text.size() < 256 * 1024; ++i) {
    const Node& n = nodes[i];
    if (!in_main_region(i) || flags[i].hidden || flags[i].chrome) continue;
    if (n.kind == Node::Kind::Text) {
      if (n.parent != html::kNoNode && doc.node(n.parent).tag == "script") continue;
      region_text += n.text;
    } else if (!html::is_inline_tag(n.tag)) {
      region_text += " | ";
    }
  }
  region_text = utf8::collapse_whitespace(region_text);
  const std::string region_lower = utf8::lower(region_text);
  // A stock phrase counts when it leads a short element of the main region ("Sold out",
  // "Non disponibile.", "Auf Lager - sofort lieferbar"): inside longer prose ("image not
  // available", "if the item is out of stock we...") it says nothing about this item.
  for (std::size_t i = 0; i < nodes.size() && facts.stock_phrase != Availability::OutOfStock; ++i) {
    const Node& n = nodes[i];
    if (n.kind != Node::Kind::Element || text_len[i] == 0 || text_len[i] > 120) continue;
    if (flags[i].hidden || flags[i].chrome || !in_main_region(i)) continue;
    if (n.parent != html::kNoNode && text_len[static_cast<std::size_t>(n.parent)] == text_len[i]) continue;
    std::string t = utf8::lower(doc.text_content(static_cast<NodeId>(i), 160));
    std::size_t lead = 0;
    while (lead < t.size() && !std::isalnum(static_cast<unsigned char>(t[lead])) &&
           static_cast<unsigned char>(t[lead]) < 0x80)
      ++lead;
    const std::string_view body = std::string_view(t).substr(lead);
    for (auto phrase : kOutOfStock) {
      if (body.starts_with(phrase)) {
        facts.stock_phrase = Availability::OutOfStock;
        break;
      }
    }
    if (facts.stock_phrase == Availability::Unknown) {
      for (auto phrase : kInStock) {
        if (body.starts_with(phrase)) {
          facts.stock_phrase = Availability::InStock;
          break;
        }
      }
    }
  }

  facts.sku = sku_from_url(url);
  if (facts.sku.empty()) facts.sku = code_after_labels(region_text, region_lower, kSkuLabels);
  static constexpr std::string_view kMpnLabels[] = {
      "mpn", "manufacturer part number", "herstellernummer", "hersteller-nr", "hersteller-artikelnummer",
      "mfr. part", "mfg. part", "item model number", "model number", "modellnummer", "numero modello articolo",
      "numéro du modèle de l'article", "número de modelo del producto", "número de modelo", "modelnummer",
      "numer modelu", "číslo modelu", "номер модели", "型番", "型号"};
  facts.mpn = value_after_labels(region_text, region_lower, kMpnLabels);
  if (facts.mpn.find(' ') != std::string::npos) facts.mpn.clear();
  static constexpr std::string_view kBrandLabels[] = {
      "brand", "marke", "marca", "marque", "merk", "marka", "značka", "znacka", "бренд", "марка", "производитель",
      "manufacturer", "hersteller", "fabricant", "fabricante", "produttore", "tillverkare", "valmistaja",
      "ブランド", "メーカー", "品牌", "브랜드", "gyártó", "márka", "producător", "proizvođač"};
  facts.brand = value_after_labels(region_text, region_lower, kBrandLabels);
  static constexpr std::string_view kGtinLabels[] = {"ean", "gtin", "upc", "isbn", "barcode", "jan"};
  for (std::size_t k = 0; k < std::size(kGtinLabels); ++k) {
    std::string g = normalize_gtin(code_after_labels(region_text, region_lower, std::span(kGtinLabels + k, 1)));
    if (!g.empty()) {
      facts.gtin = std::move(g);
      break;
    }
  }
  return facts;
}

}  // namespace dealstack
