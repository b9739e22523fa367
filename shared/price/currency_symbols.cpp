#include "price/currency_symbols.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "money/currency.hpp"
#include "text/utf8.hpp"

namespace dealstack::price_detail {
namespace {

using T = SymbolTier;
using S = SymbolSide;

// Every currency written with a bare "$" somewhere. No default: "$" alone says nothing
// about which one (resolved from the hint or the locale).
constexpr std::string_view kDollarCodes =
    "USD CAD AUD NZD MXN SGD HKD ARS CLP COP TWD UYU DOP JMD TTD BZD BBD BND BSD BMD FJD GYD "
    "KYD LRD NAD SBD SRD XCD CUP CVE NIO TOP WST ZWL SVC";

// Hand-written symbols. ISO codes not listed here are added from the currency table (weak,
// whole word, upper case). Variants with and without a trailing "." are separate entries
// so the currency text keeps the dot as the page shows it.
constexpr CurrencySymbol kSymbols[] = {
    // Dollars and pesos.
    {"$", kDollarCodes, false, T::kStrong},
    {"＄", kDollarCodes, false, T::kStrong},
    {"US$", "USD", true, T::kStrong},
    {"U$S", "USD", true, T::kStrong},
    {"U$", "USD", true, T::kStrong},
    {"USD$", "USD", true, T::kStrong},
    {"CA$", "CAD", true, T::kStrong},
    {"CAN$", "CAD", true, T::kStrong},
    {"CDN$", "CAD", true, T::kStrong},
    {"C$", "CAD NIO", true, T::kStrong},
    {"AU$", "AUD", true, T::kStrong},
    {"AUD$", "AUD", true, T::kStrong},
    {"A$", "AUD", true, T::kStrong},
    {"NZ$", "NZD", true, T::kStrong},
    {"HK$", "HKD", true, T::kStrong},
    {"S$", "SGD", true, T::kStrong},
    {"SG$", "SGD", true, T::kStrong},
    {"NT$", "TWD", true, T::kStrong},
    {"MX$", "MXN", true, T::kStrong},
    {"Mex$", "MXN", true, T::kStrong},
    {"AR$", "ARS", true, T::kStrong},
    {"CL$", "CLP", true, T::kStrong},
    {"CO$", "COP", true, T::kStrong},
    {"COL$", "COP", true, T::kStrong},
    {"RD$", "DOP", true, T::kStrong},
    {"J$", "JMD", true, T::kStrong},
    {"TT$", "TTD", true, T::kStrong},
    {"BZ$", "BZD", true, T::kStrong},
    {"Bds$", "BBD", true, T::kStrong},
    {"BN$", "BND", true, T::kStrong},
    {"N$", "NAD", true, T::kStrong},
    {"T$", "TOP", true, T::kStrong},
    {"WS$", "WST", true, T::kStrong},
    {"Z$", "ZWL", true, T::kStrong},
    {"$U", "UYU", true, T::kStrong},
    {"CUC$", "CUC", true, T::kStrong},
    {"MOP$", "MOP", true, T::kStrong},
    {"CV$", "CVE", true, T::kStrong},
    {"EC$", "XCD", true, T::kStrong},
    {"FJ$", "FJD", true, T::kStrong},
    {"SI$", "SBD", true, T::kStrong},
    {"L$", "LRD", true, T::kStrong},
    {"G$", "GYD", true, T::kStrong},
    {"R$", "BRL", true, T::kStrong},
    // Euro.
    {"€", "EUR", true, T::kStrong},
    {"EUR", "EUR", true, T::kStrong},
    {"Eur", "EUR", true, T::kStrong},
    {"eur", "EUR", true, T::kStrong},
    {"euro", "EUR", true, T::kStrong},
    {"Euro", "EUR", true, T::kStrong},
    {"EURO", "EUR", true, T::kStrong},
    {"euros", "EUR", true, T::kStrong},
    {"Euros", "EUR", true, T::kStrong},
    {"евро", "EUR", true, T::kStrong},
    // Pounds.
    {"£", "GBP EGP GIP FKP SHP LBP SYP", true, T::kStrong},
    {"￡", "GBP", true, T::kStrong},
    {"UK£", "GBP", true, T::kStrong},
    {"SY£", "SYP", true, T::kStrong},
    {"LB£", "LBP", true, T::kStrong},
    {"E£", "EGP", true, T::kStrong},
    {"IR£", "IEP", true, T::kStrong},
    // Yen and yuan.
    {"¥", "JPY CNY", false, T::kStrong},
    {"￥", "JPY CNY", false, T::kStrong},
    {"JP¥", "JPY", true, T::kStrong},
    {"CN¥", "CNY", true, T::kStrong},
    {"円", "JPY", true, T::kStrong},
    {"日元", "JPY", true, T::kStrong},
    {"元", "CNY TWD", true, T::kStrong},
    {"人民币", "CNY", true, T::kStrong},
    {"RMB", "CNY", true, T::kStrong},
    {"美元", "USD", true, T::kStrong},
    {"港元", "HKD", true, T::kStrong},
    {"港币", "HKD", true, T::kStrong},
    {"NTD", "TWD", true, T::kWeak},
    // Won.
    {"₩", "KRW KPW", true, T::kStrong},
    {"원", "KRW", true, T::kStrong},
    // Rupees and rupiah.
    {"₹", "INR", true, T::kStrong},
    {"Rs", "INR PKR LKR NPR MUR SCR", false, T::kWeak},
    {"Rs.", "INR PKR LKR NPR MUR SCR", false, T::kWeak},
    {"RS", "INR PKR LKR NPR MUR SCR", false, T::kAdjacentOnly},
    {"RS.", "INR PKR LKR NPR MUR SCR", false, T::kAdjacentOnly},
    {"₨", "PKR INR LKR NPR MUR SCR", false, T::kStrong},
    {"रु", "INR NPR", false, T::kStrong},
    {"रू", "NPR INR", false, T::kStrong},
    {"नेरू", "NPR", true, T::kStrong},
    {"SLRs", "LKR", true, T::kStrong},
    {"PKRs", "PKR", true, T::kStrong},
    {"NPRs", "NPR", true, T::kStrong},
    {"MURs", "MUR", true, T::kStrong},
    {"Rp", "IDR", true, T::kStrong},
    {"Rp.", "IDR", true, T::kStrong},
    {"RP", "IDR", true, T::kAdjacentOnly, S::kBefore},
    // Central and eastern Europe.
    {"zł", "PLN", true, T::kStrong},
    {"Zł", "PLN", true, T::kStrong},
    {"ZŁ", "PLN", true, T::kStrong},
    {"zl", "PLN", true, T::kAdjacentOnly, S::kAfter},
    {"Kč", "CZK", true, T::kStrong},
    {"Ft", "HUF", true, T::kWeak},
    {"Ft.", "HUF", true, T::kWeak},
    {"lei", "RON MDL", true, T::kStrong},
    {"Lei", "RON MDL", true, T::kStrong},
    {"LEI", "RON MDL", true, T::kStrong},
    {"leu", "RON MDL", true, T::kWeak},
    {"лв", "BGN", true, T::kStrong},
    {"лв.", "BGN", true, T::kStrong},
    {"лева", "BGN", true, T::kStrong},
    {"kn", "HRK", true, T::kWeak},
    {"din.", "RSD", true, T::kWeak},
    {"din", "RSD", true, T::kAdjacentOnly, S::kAfter},
    {"дин.", "RSD", true, T::kStrong},
    {"дин", "RSD", true, T::kWeak},
    {"Dinara", "RSD", true, T::kStrong},
    {"dinara", "RSD", true, T::kWeak},
    {"динар", "RSD", true, T::kStrong},
    {"динара", "RSD", true, T::kStrong},
    {"ден", "MKD", true, T::kWeak},
    {"ден.", "MKD", true, T::kWeak},
    {"KM", "BAM", true, T::kWeak},
    {"КМ", "BAM", true, T::kWeak},
    {"Lek", "ALL", true, T::kWeak},
    {"Sk", "SKK", true, T::kAdjacentOnly, S::kAfter},
    // Russia, Ukraine, Belarus, Central Asia, Caucasus.
    {"руб.", "RUB BYN", true, T::kStrong},
    {"руб", "RUB BYN", true, T::kStrong},
    {"рублей", "RUB BYN", true, T::kStrong},
    {"рубля", "RUB BYN", true, T::kStrong},
    {"рубль", "RUB BYN", true, T::kStrong},
    {"₽", "RUB", true, T::kStrong},
    {"р.", "RUB BYN", true, T::kStrong},
    {"р", "RUB", true, T::kAdjacentOnly, S::kAfter},
    {"Р", "RUB", true, T::kAdjacentOnly, S::kAfter},
    {"грн.", "UAH", true, T::kStrong},
    {"грн", "UAH", true, T::kStrong},
    {"₴", "UAH", true, T::kStrong},
    {"Br", "BYN ETB", false, T::kWeak},
    {"Birr", "ETB", true, T::kWeak},
    {"₸", "KZT", true, T::kStrong},
    {"тңг", "KZT", true, T::kStrong},
    {"тңг.", "KZT", true, T::kStrong},
    {"тг", "KZT", true, T::kWeak},
    {"тенге", "KZT", true, T::kStrong},
    {"сом", "KGS", true, T::kWeak},
    {"сўм", "UZS", true, T::kWeak},
    {"₼", "AZN", true, T::kStrong},
    {"ман.", "AZN", true, T::kStrong},
    {"₾", "GEL", true, T::kStrong},
    {"֏", "AMD", true, T::kStrong},
    {"դր.", "AMD", true, T::kStrong},
    {"դր", "AMD", true, T::kStrong},
    // Nordic.
    {"kr", "SEK NOK DKK ISK", false, T::kWeak},
    {"kr.", "SEK NOK DKK ISK", false, T::kWeak},
    {"Kr", "SEK NOK DKK ISK", false, T::kWeak},
    {"Kr.", "SEK NOK DKK ISK", false, T::kWeak},
    {"KR", "SEK NOK DKK ISK", false, T::kAdjacentOnly},
    {"Dkr", "DKK", true, T::kWeak},
    {"Skr", "SEK", true, T::kWeak},
    {"Nkr", "NOK", true, T::kWeak},
    {"Ikr", "ISK", true, T::kWeak},
    {"kn.", "HRK", true, T::kWeak},
    // Swiss franc and other francs.
    {"CHF", "CHF", true, T::kStrong},
    {"Fr.", "CHF", true, T::kWeak},
    {"SFr.", "CHF", true, T::kWeak},
    {"Fr", "CHF", true, T::kAdjacentOnly},
    {"fr.", "CHF", true, T::kAdjacentOnly},
    {"FCFA", "XAF XOF", false, T::kWeak},
    {"CFA", "XOF XAF", false, T::kWeak},
    {"CFP", "XPF", true, T::kWeak},
    {"FBu", "BIF", true, T::kWeak},
    {"Fdj", "DJF", true, T::kWeak},
    {"₣", "", false, T::kStrong},
    // Turkey, Israel, Iran and the Arab world.
    {"TL", "TRY", true, T::kWeak},
    {"₺", "TRY", true, T::kStrong},
    {"₪", "ILS", true, T::kStrong},
    {"ש\"ח", "ILS", true, T::kStrong},
    {"ש״ח", "ILS", true, T::kStrong},
    {"NIS", "ILS", true, T::kWeak},
    {"﷼", "SAR QAR OMR YER IRR", false, T::kStrong},
    {"ريال", "SAR QAR OMR YER", false, T::kStrong},
    {"ر.س", "SAR", true, T::kStrong},
    {"ر.س.", "SAR", true, T::kStrong},
    {"ر.س.\u200f", "SAR", true, T::kStrong},
    {"ر.ق", "QAR", true, T::kStrong},
    {"ر.ق.", "QAR", true, T::kStrong},
    {"ر.ق.\u200f", "QAR", true, T::kStrong},
    {"ر.ع", "OMR", true, T::kStrong},
    {"ر.ع.", "OMR", true, T::kStrong},
    {"ر.ع.\u200f", "OMR", true, T::kStrong},
    {"ر.ي", "YER", true, T::kStrong},
    {"ر.ي.", "YER", true, T::kStrong},
    {"ر.ي.\u200f", "YER", true, T::kStrong},
    {"د.إ", "AED", true, T::kStrong},
    {"د.إ.", "AED", true, T::kStrong},
    {"د.إ.\u200f", "AED", true, T::kStrong},
    {"د.ك", "KWD", true, T::kStrong},
    {"د.ك.", "KWD", true, T::kStrong},
    {"د.ك.\u200f", "KWD", true, T::kStrong},
    {"د.ب", "BHD", true, T::kStrong},
    {"د.ب.", "BHD", true, T::kStrong},
    {"د.ب.\u200f", "BHD", true, T::kStrong},
    {"د.أ", "JOD", true, T::kStrong},
    {"د.أ.", "JOD", true, T::kStrong},
    {"د.أ.\u200f", "JOD", true, T::kStrong},
    {"د.ا", "JOD", true, T::kStrong},
    {"د.ت", "TND", true, T::kStrong},
    {"د.ت.", "TND", true, T::kStrong},
    {"د.ت.\u200f", "TND", true, T::kStrong},
    {"د.ل", "LYD", true, T::kStrong},
    {"د.ل.", "LYD", true, T::kStrong},
    {"د.ل.\u200f", "LYD", true, T::kStrong},
    {"د.ع", "IQD", true, T::kStrong},
    {"د.ع.", "IQD", true, T::kStrong},
    {"د.ع.\u200f", "IQD", true, T::kStrong},
    {"د.ج", "DZD", true, T::kStrong},
    {"د.ج.", "DZD", true, T::kStrong},
    {"د.ج.\u200f", "DZD", true, T::kStrong},
    {"د.م", "MAD", true, T::kStrong},
    {"د.م.", "MAD", true, T::kStrong},
    {"د.م.\u200f", "MAD", true, T::kStrong},
    {"ج.م", "EGP", true, T::kStrong},
    {"ج.م.", "EGP", true, T::kStrong},
    {"ج.م.\u200f", "EGP", true, T::kStrong},
    {"ل.ل", "LBP", true, T::kStrong},
    {"ل.ل.", "LBP", true, T::kStrong},
    {"ل.ل.\u200f", "LBP", true, T::kStrong},
    {"ل.س", "SYP", true, T::kStrong},
    {"ل.س.", "SYP", true, T::kStrong},
    {"ل.س.\u200f", "SYP", true, T::kStrong},
    {"درهم", "AED MAD", false, T::kStrong},
    {"دينار", "KWD BHD JOD IQD LYD TND DZD", false, T::kStrong},
    {"جنيه", "EGP SDG", true, T::kStrong},
    {"ریال", "IRR", true, T::kStrong},
    {"تومان", "", false, T::kStrong},  // 1 toman = 10 rials: no ISO code of its own
    {"KD", "KWD", true, T::kWeak},
    {"BD", "BHD", true, T::kWeak},
    {"JD", "JOD", true, T::kWeak},
    {"DT", "TND", true, T::kWeak},
    {"LD", "LYD", true, T::kWeak},
    {"QR", "QAR", true, T::kWeak},
    {"SR", "SAR", true, T::kWeak},
    {"YR", "YER", true, T::kWeak},
    {"Dhs", "AED MAD", true, T::kWeak},
    {"Dhs.", "AED MAD", true, T::kWeak},
    {"Dh", "AED MAD", false, T::kWeak},
    {"DH", "MAD AED", false, T::kWeak},
    {"DA", "DZD", true, T::kAdjacentOnly, S::kAfter},
    // Asia-Pacific.
    {"฿", "THB", true, T::kStrong},
    {"บาท", "THB", true, T::kStrong},
    {"₫", "VND", true, T::kStrong},
    {"đ", "VND", true, T::kStrong},
    {"đồng", "VND", true, T::kStrong},
    {"VNĐ", "VND", true, T::kStrong},
    {"VNđ", "VND", true, T::kStrong},
    {"₱", "PHP CUP", true, T::kStrong},
    {"Php", "PHP", true, T::kAdjacentOnly},
    {"RM", "MYR", true, T::kWeak},
    {"₭", "LAK", true, T::kStrong},
    {"៛", "KHR", true, T::kStrong},
    {"₮", "MNT", true, T::kStrong},
    {"৳", "BDT", true, T::kStrong},
    {"Tk", "BDT", true, T::kWeak},
    {"টকা", "BDT", true, T::kStrong},
    {"Nu.", "BTN", true, T::kWeak},
    {"؋", "AFN", true, T::kStrong},
    // Africa.
    {"R", "ZAR", true, T::kAdjacentOnly, S::kBefore},
    {"₦", "NGN", true, T::kStrong},
    {"GH₵", "GHS", true, T::kStrong},
    {"₵", "GHS", true, T::kStrong},
    {"GH¢", "GHS", true, T::kStrong},
    {"Ksh", "KES", true, T::kWeak},
    {"KSh", "KES", true, T::kWeak},
    {"Ksh.", "KES", true, T::kWeak},
    {"USh", "UGX", true, T::kWeak},
    {"TSh", "TZS", true, T::kWeak},
    {"Kz", "AOA", true, T::kWeak},
    {"MTn", "MZN", true, T::kWeak},
    {"MK", "MWK", true, T::kWeak},
    {"ZK", "ZMW", true, T::kWeak},
    {"UM", "MRU", true, T::kWeak},
    {"Db", "STN", true, T::kWeak},
    {"Le", "SLE SLL", true, T::kAdjacentOnly},
    {"Nfk", "ERN", true, T::kWeak},
    // Latin America.
    {"Bs", "BOB VES", false, T::kWeak},
    {"Bs.", "BOB VES", false, T::kWeak},
    {"Bs.S", "VES", true, T::kWeak},
    {"Bs.F.", "", false, T::kWeak},  // bolívar fuerte, withdrawn
    {"B/.", "PAB", true, T::kStrong},
    {"S/.", "PEN", true, T::kStrong},
    {"S/", "PEN", true, T::kStrong},
    {"₡", "CRC", true, T::kStrong},
    {"₲", "PYG", true, T::kStrong},
    {"Gs", "PYG", true, T::kWeak},
    {"Gs.", "PYG", true, T::kWeak},
    {"Q", "GTQ", true, T::kAdjacentOnly, S::kBefore},
    {"ƒ", "ANG AWG XCG", false, T::kStrong},
    {"Afl.", "AWG", true, T::kWeak},
    {"Afl", "AWG", true, T::kWeak},
    {"NAf.", "ANG", true, T::kWeak},
    // Withdrawn European currencies still seen on archived pages.
    {"DM", "DEM", true, T::kWeak},
    {"öS", "ATS", true, T::kWeak},
    {"Pta", "ESP", true, T::kWeak},
    {"Ptas", "ESP", true, T::kWeak},
    {"Pts", "ESP", true, T::kWeak},
    {"₧", "ESP", true, T::kStrong},
    {"₤", "ITL", true, T::kStrong},
    {"Lit.", "ITL", true, T::kWeak},
    {"₯", "GRD", true, T::kStrong},
    {"₿", "", false, T::kStrong},  // bitcoin: no ISO code
    // Historic or regional signs with no code of their own today; still currency text.
    {"₶", "", false, T::kStrong},
    {"₠", "", false, T::kStrong},
    {"₢", "", false, T::kStrong},
    {"₰", "", false, T::kStrong},
    {"₳", "", false, T::kStrong},
    {"₷", "", false, T::kStrong},
    {"ℳ", "", false, T::kStrong},
    {"ރ", "MVR", true, T::kStrong},
    {"৲", "BDT", true, T::kStrong},
    {"૱", "INR", true, T::kStrong},
    {"௹", "INR", true, T::kStrong},
    {"FrCD", "CDF", true, T::kWeak},
    {"Ekr", "EEK", true, T::kWeak},
    {"kroon", "EEK", true, T::kWeak},
    {"FG", "GNF", true, T::kWeak},
    {"SL Re", "LKR", true, T::kWeak},
    {"Lt", "LTL", true, T::kWeak},
    {"litų", "LTL", true, T::kWeak},
    {"Ls", "LVL", true, T::kWeak},
    {"MRf", "MVR", true, T::kWeak},
    {"Rf", "MVR", true, T::kWeak},
    {"Ssh", "SOS", true, T::kWeak},
    {"VT", "VUV", true, T::kWeak},
    {"D-Mark", "DEM", true, T::kWeak},
    {"fl.", "NLG", true, T::kWeak},
    {"mk.", "FIM", true, T::kWeak},
    {"Δρχ.", "GRD", true, T::kWeak},
    {"Δρ.", "GRD", true, T::kWeak},
    {"tolarjev", "SIT", true, T::kWeak},
    {"pln", "PLN", true, T::kWeak},
};

// ISO codes that are also everyday English (or programming) words: trusted only next to
// the number, so "ALL PRICES" or "TOP SELLER" is not a currency.
constexpr std::string_view kWordLikeCodes[] = {"ALL", "AMD", "BAM", "BOB", "COP", "CUP", "DOP", "GEL",
                                               "MAD", "MOP", "PEN", "PHP", "SOS", "SVC", "TOP", "TRY"};

struct Table {
  std::vector<CurrencySymbol> symbols;
  // Indices into `symbols` by first byte, longest first.
  std::array<std::vector<std::uint16_t>, 256> by_first_byte;
  std::size_t longest = 0;
};

const Table& table() {
  static const Table t = [] {
    Table t;
    for (const auto& s : kSymbols) t.symbols.push_back(s);
    for (const auto& c : all_currencies()) {
      const bool listed = std::any_of(std::begin(kSymbols), std::end(kSymbols),
                                      [&](const CurrencySymbol& s) { return s.text == c.code; });
      if (listed) continue;
      const bool word_like =
          std::find(std::begin(kWordLikeCodes), std::end(kWordLikeCodes), c.code) != std::end(kWordLikeCodes);
      t.symbols.push_back({c.code, c.code, true, word_like ? T::kAdjacentOnly : T::kWeak});
    }
    for (std::size_t i = 0; i < t.symbols.size(); ++i) {
      const auto& s = t.symbols[i];
      t.by_first_byte[static_cast<unsigned char>(s.text[0])].push_back(static_cast<std::uint16_t>(i));
      t.longest = std::max(t.longest, s.text.size());
    }
    for (auto& bucket : t.by_first_byte)
      std::stable_sort(bucket.begin(), bucket.end(), [&](std::uint16_t a, std::uint16_t b) {
        return t.symbols[a].text.size() > t.symbols[b].text.size();
      });
    return t;
  }();
  return t;
}

// The code point that ends just before byte `pos` (0 at the start). Steps back over at
// most 3 continuation bytes, so it is O(1).
char32_t previous_code_point(std::string_view s, std::size_t pos) {
  if (pos == 0) return 0;
  std::size_t start = pos - 1;
  for (int i = 0; i < 3 && start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80; ++i) --start;
  std::size_t p = start;
  const char32_t cp = utf8::next(s, p);
  return p == pos ? cp : utf8::kReplacement;
}

char32_t code_point_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  return utf8::next(s, pos);
}

constexpr std::pair<std::string_view, std::string_view> kRegionCurrency[] = {
    {"AD", "EUR"}, {"AE", "AED"}, {"AF", "AFN"}, {"AL", "ALL"}, {"AM", "AMD"}, {"AO", "AOA"}, {"AR", "ARS"},
    {"AT", "EUR"}, {"AU", "AUD"}, {"AW", "AWG"}, {"AZ", "AZN"}, {"BA", "BAM"}, {"BB", "BBD"}, {"BD", "BDT"},
    {"BE", "EUR"}, {"BG", "BGN"}, {"BH", "BHD"}, {"BM", "BMD"}, {"BN", "BND"}, {"BO", "BOB"}, {"BR", "BRL"},
    {"BS", "BSD"}, {"BW", "BWP"}, {"BY", "BYN"}, {"BZ", "BZD"}, {"CA", "CAD"}, {"CH", "CHF"}, {"CL", "CLP"},
    {"CN", "CNY"}, {"CO", "COP"}, {"CR", "CRC"}, {"CU", "CUP"}, {"CV", "CVE"}, {"CY", "EUR"}, {"CZ", "CZK"},
    {"DE", "EUR"}, {"DK", "DKK"}, {"DO", "DOP"}, {"DZ", "DZD"}, {"EC", "USD"}, {"EE", "EUR"}, {"EG", "EGP"},
    {"ES", "EUR"}, {"ET", "ETB"}, {"FI", "EUR"}, {"FJ", "FJD"}, {"FO", "DKK"}, {"FR", "EUR"}, {"GB", "GBP"},
    {"GE", "GEL"}, {"GH", "GHS"}, {"GI", "GIP"}, {"GL", "DKK"}, {"GR", "EUR"}, {"GT", "GTQ"}, {"GY", "GYD"},
    {"HK", "HKD"}, {"HN", "HNL"}, {"HR", "EUR"}, {"HU", "HUF"}, {"ID", "IDR"}, {"IE", "EUR"}, {"IL", "ILS"},
    {"IN", "INR"}, {"IQ", "IQD"}, {"IR", "IRR"}, {"IS", "ISK"}, {"IT", "EUR"}, {"JM", "JMD"}, {"JO", "JOD"},
    {"JP", "JPY"}, {"KE", "KES"}, {"KG", "KGS"}, {"KH", "KHR"}, {"KR", "KRW"}, {"KW", "KWD"}, {"KY", "KYD"},
    {"KZ", "KZT"}, {"LA", "LAK"}, {"LB", "LBP"}, {"LI", "CHF"}, {"LK", "LKR"}, {"LR", "LRD"}, {"LT", "EUR"},
    {"LU", "EUR"}, {"LV", "EUR"}, {"LY", "LYD"}, {"MA", "MAD"}, {"MC", "EUR"}, {"MD", "MDL"}, {"ME", "EUR"},
    {"MK", "MKD"}, {"MM", "MMK"}, {"MN", "MNT"}, {"MO", "MOP"}, {"MT", "EUR"}, {"MU", "MUR"}, {"MX", "MXN"},
    {"MY", "MYR"}, {"MZ", "MZN"}, {"NA", "NAD"}, {"NG", "NGN"}, {"NI", "NIO"}, {"NL", "EUR"}, {"NO", "NOK"},
    {"NP", "NPR"}, {"NZ", "NZD"}, {"OM", "OMR"}, {"PA", "USD"}, {"PE", "PEN"}, {"PH", "PHP"}, {"PK", "PKR"},
    {"PL", "PLN"}, {"PR", "USD"}, {"PT", "EUR"}, {"PY", "PYG"}, {"QA", "QAR"}, {"RO", "RON"}, {"RS", "RSD"},
    {"RU", "RUB"}, {"SA", "SAR"}, {"SB", "SBD"}, {"SC", "SCR"}, {"SE", "SEK"}, {"SG", "SGD"}, {"SI", "EUR"},
    {"SK", "EUR"}, {"SM", "EUR"}, {"SR", "SRD"}, {"SV", "USD"}, {"SY", "SYP"}, {"TH", "THB"}, {"TN", "TND"},
    {"TR", "TRY"}, {"TT", "TTD"}, {"TW", "TWD"}, {"TZ", "TZS"}, {"UA", "UAH"}, {"UG", "UGX"}, {"US", "USD"},
    {"UY", "UYU"}, {"UZ", "UZS"}, {"VA", "EUR"}, {"VE", "VES"}, {"VN", "VND"}, {"YE", "YER"}, {"ZA", "ZAR"},
    {"ZM", "ZMW"}, {"ZW", "ZWL"},
    // CFA and CFP franc areas.
    {"BF", "XOF"}, {"BJ", "XOF"}, {"CI", "XOF"}, {"ML", "XOF"}, {"NE", "XOF"}, {"SN", "XOF"}, {"TG", "XOF"},
    {"CF", "XAF"}, {"CG", "XAF"}, {"CM", "XAF"}, {"GA", "XAF"}, {"GQ", "XAF"}, {"TD", "XAF"}, {"NC", "XPF"},
    {"PF", "XPF"},
};

constexpr std::pair<std::string_view, std::string_view> kLanguageCurrency[] = {
    {"be", "BYN"}, {"bg", "BGN"}, {"cs", "CZK"}, {"da", "DKK"}, {"fa", "IRR"}, {"fo", "DKK"},
    {"he", "ILS"}, {"hi", "INR"}, {"hu", "HUF"}, {"id", "IDR"}, {"is", "ISK"}, {"ja", "JPY"},
    {"ka", "GEL"}, {"kk", "KZT"}, {"ko", "KRW"}, {"mr", "INR"}, {"nb", "NOK"}, {"ne", "NPR"},
    {"nn", "NOK"}, {"no", "NOK"}, {"pl", "PLN"}, {"ro", "RON"}, {"ru", "RUB"}, {"si", "LKR"},
    {"sv", "SEK"}, {"th", "THB"}, {"tr", "TRY"}, {"uk", "UAH"}, {"ur", "PKR"}, {"vi", "VND"},
    {"zh", "CNY"},
};

}  // namespace

std::size_t CurrencySymbol::code_count() const { return (codes.size() + 1) / 4; }

std::string_view CurrencySymbol::code(std::size_t i) const {
  if (i >= code_count()) return {};
  return codes.substr(i * 4, 3);
}

bool CurrencySymbol::has_code(std::string_view iso) const {
  for (std::size_t i = 0; i < code_count(); ++i)
    if (code(i) == iso) return true;
  return false;
}

std::string_view CurrencySymbol::unambiguous_code() const {
  if (code_count() == 1 || (code_count() > 1 && has_default)) return code(0);
  return {};
}

bool is_word_letter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp == 0xD7 || cp == 0xF7) return false;  // × ÷
  if (cp >= 0xC0 && cp <= 0x24F) return true;  // Latin-1 and Latin Extended letters
  if (cp >= 0x370 && cp <= 0x3FF) return true;  // Greek
  if (cp >= 0x400 && cp <= 0x52F) return true;  // Cyrillic
  if (cp >= 0x531 && cp <= 0x587) return true;  // Armenian
  if (cp >= 0x5D0 && cp <= 0x5EA) return true;  // Hebrew
  if ((cp >= 0x620 && cp <= 0x64A) || (cp >= 0x671 && cp <= 0x6D3) || (cp >= 0x6FA && cp <= 0x6FF))
    return true;                                  // Arabic letters (not its digits or signs)
  if (cp >= 0xE01 && cp <= 0xE30) return true;  // Thai consonants and vowels
  if (cp >= 0x1E00 && cp <= 0x1EFF) return true;  // Latin Extended Additional (Vietnamese)
  if (cp >= 0x3040 && cp <= 0x30FF) return true;  // kana
  if (cp >= 0x4E00 && cp <= 0x9FFF) return true;  // CJK ideographs
  if (cp >= 0xAC00 && cp <= 0xD7A3) return true;  // Hangul syllables
  return false;
}

const CurrencySymbol* match_symbol_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return nullptr;
  const Table& t = table();
  const auto& bucket = t.by_first_byte[static_cast<unsigned char>(s[pos])];
  if (bucket.empty()) return nullptr;
  std::size_t before = 0;  // decoded lazily: most positions have no candidate at all
  char32_t prev = 0;
  for (std::uint16_t index : bucket) {
    const CurrencySymbol& sym = t.symbols[index];
    if (s.compare(pos, sym.text.size(), sym.text) != 0) continue;
    std::size_t p = 0;
    const char32_t first = utf8::next(sym.text, p);
    if (is_word_letter(first)) {
      if (before == 0) {
        prev = previous_code_point(s, pos);
        before = 1;
      }
      if (is_word_letter(prev)) continue;
    }
    const char32_t last = previous_code_point(sym.text, sym.text.size());
    if (is_word_letter(last) && is_word_letter(code_point_at(s, pos + sym.text.size()))) continue;
    return &sym;
  }
  return nullptr;
}

std::string_view currency_of_region(std::string_view region) {
  for (const auto& [r, c] : kRegionCurrency)
    if (r == region) return c;
  return {};
}

std::string_view currency_of_language(std::string_view language) {
  for (const auto& [l, c] : kLanguageCurrency)
    if (l == language) return c;
  return {};
}

}  // namespace dealstack::price_detail
