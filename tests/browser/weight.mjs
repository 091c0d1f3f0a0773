// Page weight, and load time under emulated slow 3G, of every public, citizen, desk and
// administration page, in vi and in en, in headless Chromium (see run.sh for the environment).
//
//   node weight.mjs                      the budget check (CI): each page's transfer under 50 KB
//   node weight.mjs --slow3g --write F   also loads each page under DevTools' "Slow 3G" and
//                                        writes the table into F (BENCHMARKS.md) between the
//                                        page-weight markers, leaving the rest of F alone
//
// A page's weight is what the browser transfers for it with an empty cache: the document and
// everything it loads (CSS, scripts, images, fonts), as encoded on the wire (compressed, with
// the response headers), from Network.loadingFinished's encodedDataLength. The browser's own
// /favicon.ico request is left out (the page does not ask for it). Only the byte count is
// asserted; the timings are measurements for BENCHMARKS.md, never a test.
//
// Prints each check and ends with "weight: N passed, M failed"; exit status 1 when M > 0.

import { readFileSync, writeFileSync } from 'node:fs';
import { AGENCY, LANGS, PDF, PROCEDURE, Tally, WIDE, assistedSubmission, launch, settings, walkSteps } from './common.mjs';

const { base: BASE, citizen: CITIZEN, official: OFFICIAL, admin: ADMIN } = settings();
const BUDGET = 50_000; // bytes: "under 50 KB compressed" (issue 6), with 1 KB = 1,000 bytes
const args = process.argv.slice(2);
const SLOW3G = args.includes('--slow3g');
const WRITE = args.includes('--write') ? args[args.indexOf('--write') + 1] : null;
const BEGIN = '<!-- page-weight:begin -->';
const END = '<!-- page-weight:end -->';

// Chrome DevTools' "Slow 3G" preset (front_end/core/sdk/NetworkManager.ts, Slow3GConditions):
// download and upload 500 * 1000 / 8 * .8 bytes/s (~400 kbit/s), latency 400 * 5 ms (a 400 ms
// RTT with DevTools' adjustment factor of 5 for request-level emulation).
const SLOW_3G = { offline: false, downloadThroughput: (500 * 1000) / 8 * 0.8, uploadThroughput: (500 * 1000) / 8 * 0.8, latency: 400 * 5 };

const tally = new Tally('weight');

/** Loads `path` in a new tab of `ctx`, with the cache disabled, or (`warm`) after a first
 * load that fills it (pages are `no-store`, the stylesheet may be cached for an hour); returns
 * what crossed the wire and the timings. */
async function measure(ctx, path, { throttle, warm = false }) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !warm });
  if (warm) await page.goto(BASE + path, { waitUntil: 'load' });
  if (throttle) await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
  const reqs = new Map();
  const entry = (id) => reqs.get(id) ?? reqs.set(id, { url: '', bytes: 0, decoded: 0, done: false }).get(id);
  cdp.on('Network.requestWillBeSent', (e) => { entry(e.requestId).url = e.request.url; });
  cdp.on('Network.responseReceived', (e) => {
    const r = entry(e.requestId);
    r.status = e.response.status;
    r.type = e.type;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    r.encoding = h['content-encoding'] || 'identity';
  });
  cdp.on('Network.dataReceived', (e) => { entry(e.requestId).decoded += e.dataLength; });
  cdp.on('Network.loadingFinished', (e) => { const r = entry(e.requestId); r.bytes = e.encodedDataLength; r.done = true; });
  cdp.on('Network.loadingFailed', (e) => { entry(e.requestId).done = true; });

  const resp = await page.goto(BASE + path, { waitUntil: 'load', timeout: 120_000 });
  // Every request the page made has finished (loadingFinished may trail the load event).
  for (let i = 0; i < 100 && [...reqs.values()].some((r) => !r.done && !r.url.endsWith('/favicon.ico')); i++) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  // The first contentful paint can come just after the load event: wait for it a little.
  const timing = await page.evaluate(async () => {
    const n = performance.getEntriesByType('navigation')[0];
    let fcp;
    for (let i = 0; i < 40 && !(fcp = performance.getEntriesByName('first-contentful-paint')[0]); i++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
    return { html: n.responseEnd, load: n.loadEventEnd, fcp: fcp ? fcp.startTime : null };
  });
  const counted = [...reqs.values()].filter((r) => r.url && !r.url.endsWith('/favicon.ico'));
  const doc = counted.find((r) => r.type === 'Document');
  await page.close();
  return {
    status: resp ? resp.status() : 0,
    bytes: counted.reduce((s, r) => s + r.bytes, 0),
    decoded: counted.reduce((s, r) => s + r.decoded, 0),
    requests: counted.length,
    kinds: [...new Set(counted.map((r) => r.type))].join('+'),
    encoding: [...new Set(counted.map((r) => r.encoding))].join('/'),
    docEncoding: doc?.encoding ?? '?',
    ...timing,
  };
}

async function signIn(browser, who) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=vi`);
  await page.fill('#login', who.user);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForNavigation(), page.click('main form[action="/login"] button[type=submit]')]);
  if ((await page.locator('form[action="/logout"]').count()) === 0) throw new Error(`${who.user} could not sign in`);
  return { ctx, page };
}

/** A submitted dossier, through the pages, so the dossier and desk pages have one to show. */
async function submittedDossier(page) {
  const go = (sel) => Promise.all([page.waitForNavigation(), page.click(sel)]);
  const id = await walkSteps(page, BASE, {
    full_name: 'Nguyễn Văn Cân Trang',
    id_number: '001090012345',
    phone: '0912345678',
    address: 'Số 1 Phố Đội Cấn, Phường Ba Đình, Hà Nội',
  });
  await page.setInputFiles('#file', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.fill('#doc-name', 'Tờ khai');
  await go('form.upload button[type=submit]');
  await go(`form[action="/dossiers/${id}/submit"] button[type=submit]`);
  if (!page.url().includes('done=submitted')) throw new Error(`could not submit a dossier: at ${page.url()}`);
  return id;
}

const kb = (n) => (n / 1000).toFixed(1);
const ms = (n) => (n == null ? '–' : (n / 1000).toFixed(1));

function writeSection(file, rows) {
  const date = new Date().toISOString().slice(0, 10);
  const table = rows.map((r) => `| ${r.who} | \`${r.path}\` | ${r.lang} | ${kb(r.bytes)} | ${kb(r.decoded)} | ${r.requests} | ${r.docEncoding} | ${ms(r.html)} | ${ms(r.fcp)} | ${ms(r.load)} | ${ms(r.warmLoad)} |`);
  const heaviest = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const slowest = rows.reduce((a, b) => (b.load > a.load ? b : a));
  const over = rows.filter((r) => r.bytes >= BUDGET);
  const section = [
    BEGIN,
    '## Page weight and slow 3G (issue 6)',
    '',
    'What: every public, citizen, desk and administration page, in Vietnamese and English, loaded in',
    "headless Chromium with an empty cache. **Transferred** is everything the page loads (HTML, CSS,",
    'scripts, images, fonts: here HTML, CSS and, for signed-in pages, the 2 KB session-expiry script; no',
    'images or web fonts) as it',
    "crosses the wire, compressed, with the response headers (CDP `Network.loadingFinished`'s",
    '`encodedDataLength`); **uncompressed** is the same bodies decoded. Load times are under Chrome',
    'DevTools\' "Slow 3G" preset, applied with CDP `Network.emulateNetworkConditions`: 50,000 bytes/s',
    'down and up (`500 * 1000 / 8 * .8`) and 2,000 ms latency per request (`400 * 5`: a 400 ms RTT',
    "times DevTools' adjustment factor), as defined by `Slow3GConditions` in",
    '`front_end/core/sdk/NetworkManager.ts` of ChromeDevTools/devtools-frontend. First contentful paint',
    'and the load event are from the Paint Timing and Navigation Timing entries ("HTML in" is the',
    "document's `responseEnd`), for a first visit (empty cache) and, in the last column, for a page",
    'opened with the stylesheet already cached (it is served with `max-age=3600`; pages are',
    '`no-store`). The server is the debug build on the same machine; with 2 s of latency per request',
    'the network dominates: the HTML and then the stylesheet, one latency each.',
    '',
    'Command (builds motcua, starts it with demo data, creates a dossier through the pages, measures,',
    'rewrites this section):',
    '',
    '```sh',
    'bench/page-weight.sh        # = tests/browser/run.sh weight',
    '```',
    '',
    `| page (${date}) | path | lang | transferred (KB) | uncompressed (KB) | requests | HTML encoding | slow 3G: HTML in (s) | first paint (s) | load (s) | load, CSS cached (s) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...table,
    '',
    `Budget: each page under ${BUDGET / 1000} KB (1 KB = 1,000 bytes) transferred: ${over.length ? `**exceeded by ${over.map((r) => `\`${r.path}\` (${r.lang})`).join(', ')}**` : 'met by every page'}.`,
    `The heaviest is \`${heaviest.path}\` (${heaviest.who}, ${heaviest.lang}) at ${kb(heaviest.bytes)} KB; the slowest`,
    `first visit under slow 3G is \`${slowest.path}\` (${slowest.lang}), loaded in ${ms(slowest.load)} s.`,
    '`tests/browser/run.sh` (so `.ci/run`) asserts the byte budget on every page, without throttling,',
    'and that pages are sent compressed; the timings are not asserted. The server compresses text',
    'answers with brotli or gzip, as the browser accepts (tower-http `CompressionLayer`); the HTML',
    'encoding column shows what Chromium got.',
    END,
  ].join('\n');
  const old = readFileSync(file, 'utf8');
  const a = old.indexOf(BEGIN);
  const b = old.indexOf(END);
  const next = a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + END.length) : `${old.replace(/\n*$/, '\n\n')}${section}\n`;
  writeFileSync(file, next);
  console.log(`(wrote the page-weight section of ${file})`);
}

const browser = await launch();
let crashed = false;
try {
  const anon = await browser.newContext({ viewport: WIDE });
  const citizen = await signIn(browser, CITIZEN);
  const official = await signIn(browser, OFFICIAL);
  const admin = ADMIN ? await signIn(browser, ADMIN) : null;
  const id = await submittedDossier(citizen.page);
  const assistedDraft = await assistedSubmission(official.page, BASE, { submit: false });
  const assisted = await assistedSubmission(official.page, BASE, { idNumber: '001085067890' });

  const pages = [
    ['public', anon, '/'],
    ['public', anon, '/procedures?q=xac+nhan+cu+tru'],
    ['public', anon, `/procedures/${PROCEDURE}`],
    ['public', anon, '/register'],
    ['public', anon, '/login'],
    ['public', anon, '/no-such-page', 404],
    ['citizen', citizen.ctx, `/procedures/${PROCEDURE}`],
    ['citizen', citizen.ctx, `/procedures/${PROCEDURE}/apply?agency_q=Ba+Dinh`],
    ['citizen', citizen.ctx, '/dossiers'],
    ['citizen', citizen.ctx, `/dossiers/${id}`],
    ['desk', official.ctx, '/desk'],
    ['desk', official.ctx, `/desk/dossiers/${id}`],
    ['desk', official.ctx, '/desk?due=soon&sort=submitted'],
    ['desk', official.ctx, `/desk/assisted?procedure=${PROCEDURE}`],
    ['desk', official.ctx, `/desk/assisted/${assistedDraft.id}`],
    ['desk', official.ctx, `/desk/dossiers/${assisted.id}/receipt`],
    ...(admin ? [['admin', admin.ctx, '/admin/calendar'], ['admin', admin.ctx, '/admin/officials?agency=CAX.00004']] : []),
  ];
  const rows = [];
  for (const [who, ctx, path, expect = 200] of pages) {
    for (const lang of LANGS) {
      const url = `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
      const m = await measure(ctx, url, { throttle: false });
      if (m.status !== expect) throw new Error(`${url} answered ${m.status}, expected ${expect}`);
      tally.check(
        m.bytes > 0 && m.bytes < BUDGET && m.docEncoding !== 'identity',
        `${who} ${path} [${lang}]: ${m.bytes} bytes transferred (${m.requests} requests, ${m.kinds}, ${m.encoding}; ${m.decoded} uncompressed)`,
        m.docEncoding === 'identity' ? 'the page was sent uncompressed' : `over the ${BUDGET}-byte budget`,
      );
      const row = { who, path: path.replace(id, '{id}'), lang, ...m };
      if (SLOW3G) {
        const t = await measure(ctx, url, { throttle: true });
        const w = await measure(ctx, url, { throttle: true, warm: true });
        Object.assign(row, { html: t.html, fcp: t.fcp, load: t.load, warmLoad: w.load });
        console.log(`     slow 3G: HTML ${ms(t.html)} s, first paint ${ms(t.fcp)} s, load ${ms(t.load)} s; stylesheet cached: load ${ms(w.load)} s`);
      }
      rows.push(row);
    }
  }
  if (WRITE) {
    if (!SLOW3G) throw new Error('--write needs --slow3g');
    writeSection(WRITE, rows);
  }
} catch (e) {
  console.error(`weight.mjs: ${e.stack || e}`);
  crashed = true;
} finally {
  await browser.close();
}
process.exit(tally.summary(crashed));
