// The demo shop: a few product pages served on loopback, for `npm start`, the extension's
// end-to-end tests and its benchmark. Prices and stock can change while it runs, so the
// agent's next check sees a drop or a restock.
//
//   const shop = await startShop();          // {url, port, setPrice, setStock, close, ...}
//   shop.setPrice('espresso-grinder', '159.00');
//
// Pages: /  (all products), /p/<slug> (see catalog.mjs), /img/<slug>.svg, /static/shop.css.
// Every answer is `no-store`, so a reload always shows the current price.
import http from 'node:http';
import { CSS, catalog, indexPage, productPage, productSvg } from './catalog.mjs';

export { catalog } from './catalog.mjs';

const MONEY = /^\d{1,9}(\.\d{1,3})?$/;

/**
 * port: 0 picks a free one; host: the loopback address to listen on.
 * routes: extra pages, path -> (req, res) => void (tests add hostile pages this way).
 * Resolves once listening with:
 *   url: "http://127.0.0.1:PORT" (no trailing slash); port;
 *   productUrl(slug); products (the live catalog, by slug);
 *   setPrice(slug, amount): amount a decimal string ("159.00");
 *   setStock(slug, inStock: boolean);
 *   hits(path): how many times a path was requested;
 *   close(): stops listening and ends open connections.
 */
export async function startShop({ port = 0, host = '127.0.0.1', routes = {} } = {}) {
  const products = catalog();
  const hitCount = new Map();
  const sockets = new Set();
  let origin = '';
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    hitCount.set(path, (hitCount.get(path) ?? 0) + 1);
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (routes[path]) return routes[path](req, res);
    if (path === '/') return send(200, 'text/html; charset=utf-8', indexPage(products));
    if (path === '/static/shop.css') return send(200, 'text/css; charset=utf-8', CSS);
    let m = path.match(/^\/img\/([a-z0-9-]+)\.svg$/);
    if (m && products[m[1]]) return send(200, 'image/svg+xml', productSvg(products[m[1]].art));
    m = path.match(/^\/p\/([a-z0-9-]+)$/);
    if (m && products[m[1]]) return send(200, 'text/html; charset=utf-8', productPage(m[1], products[m[1]], origin));
    if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
    return send(404, 'text/plain; charset=utf-8', 'not found\n');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  origin = `http://${host}:${actual}`;
  const product = (slug) => {
    if (!products[slug]) throw new Error(`demo shop: no product "${slug}"`);
    return products[slug];
  };
  return {
    url: origin,
    port: actual,
    products,
    productUrl: (slug) => { product(slug); return `${origin}/p/${slug}`; },
    setPrice(slug, amount) {
      if (typeof amount !== 'string' || !MONEY.test(amount)) throw new Error(`demo shop: price must be a decimal string, got ${amount}`);
      product(slug).price = amount;
    },
    setStock(slug, inStock) { product(slug).in_stock = Boolean(inStock); },
    hits: (path) => hitCount.get(path) ?? 0,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// `node demo/shop/server.mjs [port]` serves the shop until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const shop = await startShop({ port: Number(process.argv[2] ?? 0) });
  console.log(`demo shop: ${shop.url}/`);
  process.on('SIGINT', () => shop.close().then(() => process.exit(0)));
}
