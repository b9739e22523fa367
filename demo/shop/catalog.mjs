// The demo shop's products and the HTML of its pages. Each product page carries its data in
// one of the ways real shops do: JSON-LD, microdata, or none at all (plain HTML the
// extractor reads by heuristics). Prices are decimal strings, never numbers.

/** The products, by slug. `markup`: how the page describes it; `price`/`list_price`:
 *  decimal strings in `currency`; `in_stock` false renders the page as sold out. */
export function catalog() {
  return {
    'espresso-grinder': {
      name: 'Conical Burr Espresso Grinder', brand: 'Kettleworks', sku: 'KW-EG-200',
      gtin: gtin13('400638133393'), markup: 'json-ld', price: '189.00', list_price: '219.00',
      currency: 'USD', in_stock: true, art: 'grinder', category: 'Coffee',
      blurb: 'Forty stepped grind settings from Turkish to French press, 54 mm steel burrs and a ' +
        'dosing cup that clicks into the portafilter holder.',
    },
    'trail-daypack': {
      name: 'Trailhead 28 L Daypack', brand: 'Northfold', sku: 'NF-TD-28',
      gtin: gtin13('501234567890'), markup: 'microdata', price: '79.95', list_price: null,
      currency: 'USD', in_stock: true, art: 'backpack', category: 'Outdoors',
      blurb: 'A ventilated back panel, a hydration sleeve and a rain cover tucked into the lid.',
    },
    'pour-over-set': {
      name: 'Ceramic Pour-Over Set', brand: 'Kettleworks', sku: null, gtin: null,
      markup: 'none', price: '34.50', list_price: null, currency: 'USD', in_stock: true,
      art: 'pourover', category: 'Coffee',
      blurb: 'A glazed dripper, a 600 ml carafe and 100 paper filters.',
    },
    'studio-headphones': {
      name: 'Studio Monitor Headphones', brand: 'Lowtide Audio', sku: 'LA-SMH-7',
      gtin: gtin13('871234567890'), markup: 'json-ld', price: '129.00', list_price: null,
      currency: 'USD', in_stock: false, art: 'headphones', category: 'Audio',
      blurb: 'Closed-back, 45 mm drivers, a coiled and a straight cable.',
    },
    'dutch-oven': {
      name: 'Enamelled Cast Iron Dutch Oven 5.5 qt', brand: 'Hearthline', sku: 'HL-DO-55',
      gtin: gtin13('761234567890'), markup: 'json-ld', price: '149.99', list_price: '179.99',
      currency: 'USD', in_stock: true, art: 'pot', category: 'Kitchen', big: true,
      blurb: 'Even heat, a self-basting lid and a chip-resistant enamel in five colours.',
    },
  };
}

// A GTIN-13 from its first 12 digits: the extractor validates the check digit.
function gtin13(first12) {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return first12 + String((10 - (sum % 10)) % 10);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const SYMBOL = { USD: '$', EUR: '€', GBP: '£' };
// "$1,299.00" from "1299.00", without floating point.
export function showPrice(amount, currency) {
  const [whole, frac = ''] = amount.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${SYMBOL[currency] ?? `${currency} `}${grouped}${frac ? `.${frac}` : ''}`;
}

// Product pictures: small inline-able SVGs, so the shop needs no files from anywhere.
const ART = {
  grinder: '<rect x="70" y="40" width="60" height="30" rx="6" fill="#c9d6df"/><path d="M62 70h76l-10 70H72z" fill="#52616b"/><rect x="60" y="140" width="80" height="20" rx="4" fill="#1e2022"/><circle cx="100" cy="105" r="14" fill="#f0f5f9"/>',
  backpack: '<rect x="55" y="45" width="90" height="120" rx="28" fill="#3f7d58"/><rect x="72" y="100" width="56" height="46" rx="10" fill="#2c5a3f"/><path d="M80 45c0-22 40-22 40 0" stroke="#1e3b2a" stroke-width="8" fill="none"/>',
  pourover: '<path d="M60 50h80l-28 50H88z" fill="#e8d5c4"/><rect x="70" y="100" width="60" height="70" rx="14" fill="#c3a995" opacity=".85"/><rect x="84" y="96" width="32" height="8" fill="#8d6e63"/>',
  headphones: '<path d="M55 120v-20a45 45 0 0 1 90 0v20" stroke="#263238" stroke-width="10" fill="none"/><rect x="45" y="110" width="28" height="48" rx="10" fill="#455a64"/><rect x="127" y="110" width="28" height="48" rx="10" fill="#455a64"/>',
  pot: '<ellipse cx="100" cy="80" rx="62" ry="12" fill="#b23a48"/><path d="M38 82h124v50a30 30 0 0 1-30 30H68a30 30 0 0 1-30-30z" fill="#d64550"/><rect x="88" y="60" width="24" height="10" rx="4" fill="#8c2f39"/>',
};

export function productSvg(art) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="400" height="400">` +
    `<rect width="200" height="200" fill="#f4f1ea"/>${ART[art] ?? ''}</svg>`;
}

export const CSS = `
:root { color-scheme: light; --ink:#1f2328; --muted:#5b636e; --line:#e3e6ea; --accent:#0b6e4f; --bg:#fbfaf7; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
header.top { display:flex; align-items:center; gap:24px; padding:14px 32px; background:#fff; border-bottom:1px solid var(--line); }
header.top .logo { font-weight:700; font-size:20px; color:var(--accent); text-decoration:none; letter-spacing:-.02em; }
header.top nav a { color:var(--muted); text-decoration:none; margin-right:16px; font-size:14px; }
main { max-width:1040px; margin:32px auto; padding:0 24px; }
.crumbs { font-size:13px; color:var(--muted); margin-bottom:16px; }
.crumbs a { color:inherit; }
.product { display:grid; grid-template-columns: 400px 1fr; gap:40px; align-items:start; }
.product img { width:100%; border-radius:16px; background:#f4f1ea; }
.product h1 { font-size:30px; line-height:1.2; margin:4px 0 8px; }
.brand { color:var(--muted); font-size:14px; text-transform:uppercase; letter-spacing:.06em; }
.price { font-size:28px; font-weight:700; margin:16px 0 4px; }
.was { color:var(--muted); text-decoration:line-through; font-size:18px; margin-left:10px; font-weight:400; }
.stock { font-weight:600; } .stock.in { color:#1a7f37; } .stock.out { color:#b42318; }
button.buy { margin-top:20px; padding:12px 28px; border:0; border-radius:10px; background:var(--accent); color:#fff; font-size:16px; font-weight:600; }
button.buy[disabled] { background:#9aa4ae; }
.grid { display:grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap:20px; }
.card { background:#fff; border:1px solid var(--line); border-radius:14px; padding:14px; text-decoration:none; color:inherit; }
.card img { width:100%; border-radius:10px; }
.card .n { font-weight:600; margin-top:8px; } .card .p { color:var(--muted); }
.tag { display:inline-block; font-size:12px; padding:2px 8px; border-radius:999px; background:#eef3f1; color:var(--accent); margin-left:6px; }
section.reviews { margin-top:40px; border-top:1px solid var(--line); padding-top:16px; }
.review { padding:10px 0; border-bottom:1px solid var(--line); } .review b { display:block; }
footer { color:var(--muted); font-size:13px; text-align:center; padding:40px 0; }
`;

function shell(title, body, head = '') {
  return `<!doctype html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Demo Shop</title>
<link rel="stylesheet" href="/static/shop.css">
${head}
</head>
<body>
<header class="top"><a class="logo" href="/">demo&nbsp;shop</a>
<nav><a href="/">All products</a><a href="/p/espresso-grinder">Coffee</a><a href="/p/trail-daypack">Outdoors</a><a href="/p/dutch-oven">Kitchen</a></nav></header>
<main>
${body}
</main>
<footer>A demonstration shop served on loopback by dealstack's <code>npm start</code>. Nothing here is for sale.</footer>
</body>
</html>
`;
}

export function indexPage(products) {
  const cards = Object.entries(products).map(([slug, p]) =>
    `<a class="card" href="/p/${slug}"><img src="/img/${slug}.svg" alt=""><div class="n">${escapeHtml(p.name)}</div>` +
    `<div class="p">${showPrice(p.price, p.currency)}${p.in_stock ? '' : ' · sold out'}<span class="tag">${p.markup === 'none' ? 'no markup' : p.markup}</span></div></a>`).join('\n');
  return shell('All products', `<h1>All products</h1>\n<div class="grid">\n${cards}\n</div>`);
}

function jsonLd(p, slug, origin) {
  const data = {
    '@context': 'https://schema.org', '@type': 'Product', name: p.name,
    brand: { '@type': 'Brand', name: p.brand }, sku: p.sku, gtin13: p.gtin,
    image: `${origin}/img/${slug}.svg`, description: p.blurb, url: `${origin}/p/${slug}`,
    offers: {
      '@type': 'Offer', price: p.price, priceCurrency: p.currency, url: `${origin}/p/${slug}`,
      availability: `https://schema.org/${p.in_stock ? 'InStock' : 'OutOfStock'}`,
      itemCondition: 'https://schema.org/NewCondition',
    },
  };
  // "</" can't end the script element early: escape it inside the JSON.
  return `<script type="application/ld+json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;
}

function reviews(count, seed) {
  const rnd = mulberry32(seed);
  const words = ('solid heavy sturdy quiet even consistent great good lovely easy clean fast slow hot ' +
    'lid handle enamel colour burrs grind dose bag strap pocket sound bass cable weekend daily morning gift ' +
    'recommend returned replaced arrived packed works fits holds cooks brews keeps').split(' ');
  const names = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Gus', 'Hana', 'Iker', 'Jo'];
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = 20 + Math.floor(rnd() * 40);
    const text = Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
    const stars = 3 + Math.floor(rnd() * 3);
    out.push(`<article class="review" data-review-id="r${i}"><b>${names[i % names.length]} · ${'★'.repeat(stars)}${'☆'.repeat(5 - stars)}</b>` +
      `<p>${text.charAt(0).toUpperCase()}${text.slice(1)}.</p><div class="helpful"><button type="button">Helpful</button> <span>${Math.floor(rnd() * 40)} people found this useful</span></div></article>`);
  }
  return out.join('\n');
}

// Mega-menu navigation as big shops have it: hundreds of nested category links.
function megaNav(seed, targetBytes) {
  const rnd = mulberry32(seed);
  const parts = ['<nav class="mega" aria-label="All departments"><ul>'];
  let size = 0;
  for (let d = 0; size < targetBytes; d++) {
    const items = [];
    for (let i = 0; i < 24; i++) {
      const id = Math.floor(rnd() * 1e6);
      items.push(`<li><a href="/c/${d}/${id}" data-track="nav-${d}-${i}">Department ${d} · aisle ${i} · item ${id}</a></li>`);
    }
    const block = `<li class="dept"><span>Department ${d}</span><ul>${items.join('')}</ul></li>`;
    parts.push(block);
    size += block.length;
  }
  parts.push('</ul></nav>');
  return parts.join('\n');
}

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function productPage(slug, p, origin) {
  const stock = p.in_stock ? '<span class="stock in">In stock</span>' : '<span class="stock out">Out of stock</span>';
  const was = p.list_price ? `<span class="was">${showPrice(p.list_price, p.currency)}</span>` : '';
  const crumbs = `<div class="crumbs"><a href="/">Home</a> › ${escapeHtml(p.category)} › ${escapeHtml(p.name)}</div>`;
  let head = '';
  let body;
  if (p.markup === 'microdata') {
    body = `${crumbs}
<div class="product" itemscope itemtype="https://schema.org/Product">
  <img itemprop="image" src="${origin}/img/${slug}.svg" alt="${escapeHtml(p.name)}">
  <div>
    <div class="brand" itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">${escapeHtml(p.brand)}</span></div>
    <h1 itemprop="name">${escapeHtml(p.name)}</h1>
    <meta itemprop="sku" content="${escapeHtml(p.sku)}"><meta itemprop="gtin13" content="${p.gtin}">
    <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
      <meta itemprop="priceCurrency" content="${p.currency}">
      <div class="price"><span itemprop="price" content="${p.price}">${showPrice(p.price, p.currency)}</span>${was}</div>
      <link itemprop="availability" href="https://schema.org/${p.in_stock ? 'InStock' : 'OutOfStock'}">${stock}
    </div>
    <p itemprop="description">${escapeHtml(p.blurb)}</p>
    <button class="buy" type="button"${p.in_stock ? '' : ' disabled'}>Add to cart</button>
  </div>
</div>`;
  } else {
    if (p.markup === 'json-ld') head = jsonLd(p, slug, origin);
    body = `${crumbs}
<div class="product">
  <img src="/img/${slug}.svg" alt="${escapeHtml(p.name)}">
  <div>
    <div class="brand">${escapeHtml(p.brand)}</div>
    <h1>${escapeHtml(p.name)}</h1>
    <div class="price">${showPrice(p.price, p.currency)}${was}</div>
    ${stock}
    <p>${escapeHtml(p.blurb)}</p>
    <button class="buy" type="button"${p.in_stock ? '' : ' disabled'}>Add to cart</button>
  </div>
</div>`;
  }
  let extra = `<section class="reviews"><h2>Reviews</h2>\n${reviews(6, slug.length)}\n</section>`;
  if (p.big) {
    // About 500 KB in all: a mega menu before the product and many reviews after it.
    extra = `<section class="reviews"><h2>Reviews</h2>\n${reviews(760, 7)}\n</section>`;
    body = megaNav(11, 170_000) + '\n' + body;
  }
  return shell(p.name, `${body}\n${extra}`, head);
}
