// axe-core over every public and desk page of a running motcua, in Vietnamese and English,
// in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
//
// It starts nothing itself (tests/browser/run.sh starts a server and calls it). Environment:
//   BASE_URL               e.g. http://127.0.0.1:8080 (required)
//   CITIZEN_USER/_PASSWORD a citizen; signed in through /login, registered through /register
//                          when the sign-in fails (required)
//   OFFICIAL_USER/_PASSWORD an official of agency CAX.00004 (the police of Phường Ba Đình) (required)
//   ADMIN_USER/_PASSWORD   optional: an administrator, to check /admin/calendar as well
//   CHROMIUM               the browser (default /usr/bin/chromium)
//   AXE_TAGS               comma-separated axe tags (default: WCAG 2.0/2.1/2.2 A and AA)
//
// The journey goes through the pages themselves: sign in, search the agency "Ba Dinh" on
// /procedures/1.010041, fill the draft form, upload a small PDF, submit; then the official
// opens the desk. Each page is checked in vi and en (and a few at 320 px wide). It prints each
// violation and ends with "N passed, M failed"; the exit status is 1 when M > 0.

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assistedSubmission, walkSteps } from './common.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') {
    console.error(`axe.mjs: set ${name}`);
    process.exit(2);
  }
  return v;
}

const BASE = env('BASE_URL').replace(/\/$/, '');
const CITIZEN = { user: env('CITIZEN_USER'), password: env('CITIZEN_PASSWORD') };
const OFFICIAL = { user: env('OFFICIAL_USER'), password: env('OFFICIAL_PASSWORD') };
const ADMIN = process.env.ADMIN_USER ? { user: process.env.ADMIN_USER, password: env('ADMIN_PASSWORD') } : null;
const TAGS = (process.env.AXE_TAGS || 'wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22a,wcag22aa').split(',');
const PROCEDURE = '1.010041';
const AGENCY = 'CAX.00004';
const LANGS = ['vi', 'en'];
const NARROW = { width: 320, height: 640 };
const WIDE = { width: 1280, height: 900 };

// A minimal valid one-page PDF (the server checks the content, not the name).
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
    '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' +
    'trailer<</Root 1 0 R>>\n%%EOF\n',
);

let passed = 0;
let failed = 0;

function withLang(path, lang) {
  const [p, hash] = path.split('#');
  return `${p}${p.includes('?') ? '&' : '?'}lang=${lang}${hash ? `#${hash}` : ''}`;
}

/** Runs axe on the page as it is now and records the result under `name`. */
async function check(page, name, lang) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  const actual = await page.evaluate(() => document.documentElement.lang);
  const vs = result.violations;
  if (actual !== lang) {
    console.log(`FAIL ${name} [${lang}]: page is in "${actual}", not "${lang}"`);
    failed++;
    return;
  }
  if (vs.length === 0) {
    console.log(`ok   ${name} [${lang}]`);
    passed++;
    return;
  }
  failed++;
  console.log(`FAIL ${name} [${lang}]: ${vs.length} rule(s) violated`);
  for (const v of vs) {
    for (const n of v.nodes) {
      console.log(`  ${name} [${lang}] ${v.id} (${v.impact}) ${n.target.join(' ')} — ${v.help}`);
      const why = (n.failureSummary || '').split('\n').slice(1, 3).join(' ').trim();
      if (why) console.log(`      ${why}`);
    }
  }
}

/** Opens `path` in `lang` and checks it; `expectStatus` guards against checking the wrong page. */
async function visit(page, name, path, lang, expectStatus = 200) {
  const resp = await page.goto(BASE + withLang(path, lang), { waitUntil: 'load' });
  const status = resp ? resp.status() : 0;
  if (status !== expectStatus) {
    throw new Error(`${name} [${lang}]: ${path} answered ${status}, expected ${expectStatus}`);
  }
  await check(page, name, lang);
}

/** Submits the form holding `selector` and waits for the page it leads to. */
async function submitVia(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function signIn(page, who) {
  await page.goto(`${BASE}/login?lang=vi`);
  await page.fill('#login', who.user);
  await page.fill('#password', who.password);
  await submitVia(page, 'main form[action="/login"] button[type=submit]');
  return (await page.locator('form[action="/logout"]').count()) > 0;
}

async function registerCitizen(page, who) {
  await page.goto(`${BASE}/register?lang=vi`);
  await page.fill('#full_name', 'Nguyễn Văn Kiểm Thử');
  await page.fill('#email', `${who.user}@example.com`);
  await page.fill('#username', who.user);
  await page.fill('#password', who.password);
  await page.fill('#password_confirm', who.password);
  await submitVia(page, 'main form[action="/register"] button[type=submit]');
  if ((await page.locator('form[action="/logout"]').count()) === 0) {
    throw new Error(`could not register citizen ${who.user}: ${await page.locator('.error-summary').innerText().catch(() => '?')}`);
  }
}

/** Through the pages: agency search, draft form, PDF upload, then (unless `submit` is false)
 * submit. Returns the dossier id. */
async function createDossier(page, { submit = true } = {}) {
  const id = await walkSteps(page, BASE, {
    full_name: 'Nguyễn Văn Kiểm Thử',
    id_number: '001090012345',
    phone: '0912345678',
    address: 'Số 1 Phố Đội Cấn, Phường Ba Đình, Hà Nội',
  });
  await page.setInputFiles('#file', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.fill('#doc-name', 'Tờ khai');
  await submitVia(page, 'form.upload button[type=submit]');
  if (!page.url().includes('done=uploaded')) throw new Error(`upload failed; at ${page.url()}`);
  if (!submit) return id;
  await submitVia(page, `form[action="/dossiers/${id}/submit"] button[type=submit]`);
  if (!page.url().includes('done=submitted')) throw new Error(`submit failed; at ${page.url()}`);
  return id;
}

/** Takes a desk action on the dossier through its form on /desk/dossiers/{id}. */
async function deskAction(page, id, action, reason) {
  await page.goto(`${BASE}/desk/dossiers/${id}?lang=vi`);
  const form = `main form:has(input[name=action][value="${action}"])`;
  if ((await page.locator(form).count()) === 0) throw new Error(`no "${action}" form on /desk/dossiers/${id}`);
  if (reason !== undefined) await page.fill(`${form} textarea[name=reason]`, reason);
  await submitVia(page, `${form} button[type=submit]`);
  const status = await page.locator('.status-line .status').innerText().catch(() => '?');
  if ((await page.locator('.error-summary').count()) > 0) throw new Error(`"${action}" on ${id} refused`);
  return status;
}

/** The official attaches a result document through the desk's upload form. */
async function uploadResult(page, id) {
  await page.goto(`${BASE}/desk/dossiers/${id}?lang=vi`);
  await page.setInputFiles('#file', { name: 'ket-qua.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.fill('#doc-name', 'Giấy xác nhận thông tin về cư trú');
  await submitVia(page, 'form.upload button[type=submit]');
  if ((await page.locator('.error-summary').count()) > 0) throw new Error(`result upload on ${id} refused`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  // playwright-core gives Chromium a new empty --user-data-dir of its own at each launch.
});

let exitCode = 0;
try {
  // Signed out.
  const anon = await (await browser.newContext({ viewport: WIDE })).newPage();
  for (const lang of LANGS) {
    await visit(anon, '/', '/', lang);
    await visit(anon, '/procedures?q=xac+nhan+cu+tru', '/procedures?q=xac+nhan+cu+tru', lang);
    await visit(anon, `/procedures/${PROCEDURE} (signed out)`, `/procedures/${PROCEDURE}`, lang);
    await visit(anon, '/register', '/register', lang);
    await visit(anon, '/login', '/login', lang);
    await anon.goto(BASE + withLang('/register', lang));
    await submitVia(anon, 'main form[action="/register"] button[type=submit]');
    await check(anon, '/register (posted empty, errors)', lang);
    await anon.goto(BASE + withLang('/login', lang));
    await submitVia(anon, 'main form[action="/login"] button[type=submit]');
    await check(anon, '/login (posted empty, errors)', lang);
    await visit(anon, '404 page', '/no-such-page', lang, 404);
  }

  // Citizen: sign in (or register), then create dossiers through the pages: one left as a
  // draft, three submitted (to be returned with a result, sent back for a supplement, refused).
  const citizen = await (await browser.newContext({ viewport: WIDE })).newPage();
  if (!(await signIn(citizen, CITIZEN))) {
    console.log(`(citizen ${CITIZEN.user} could not sign in; registering it)`);
    await registerCitizen(citizen, CITIZEN);
  }
  const draft = await createDossier(citizen, { submit: false });
  const id = await createDossier(citizen);
  const toSupplement = await createDossier(citizen);
  const toRefuse = await createDossier(citizen);
  console.log(`(dossiers submitted: ${id}, ${toSupplement}, ${toRefuse}; draft ${draft})`);
  for (const lang of LANGS) {
    await visit(citizen, `/procedures/${PROCEDURE} (signed in)`, `/procedures/${PROCEDURE}`, lang);
    // The submission's steps: each step, and a step posted empty (errors).
    await visit(citizen, `/procedures/${PROCEDURE}/apply (step 1)`, `/procedures/${PROCEDURE}/apply?agency_q=Ba+Dinh`, lang);
    await citizen.goto(BASE + withLang(`/procedures/${PROCEDURE}/apply`, lang));
    await submitVia(citizen, 'button[name=go][value=next]');
    await check(citizen, `/procedures/${PROCEDURE}/apply (step 1 posted empty, errors)`, lang);
    await citizen.goto(BASE + withLang(`/procedures/${PROCEDURE}/apply?agency_q=Ba+Dinh`, lang));
    await citizen.locator(`input[name=agency_code][value="${AGENCY}"]`).check();
    await submitVia(citizen, 'button[name=go][value=next]');
    await check(citizen, `/procedures/${PROCEDURE}/apply (step 2)`, lang);
    await citizen.fill('#id_number', '12');
    await submitVia(citizen, 'button[name=go][value=next]');
    await check(citizen, `/procedures/${PROCEDURE}/apply (step 2 with errors)`, lang);
    await citizen.fill('#full_name', 'Nguyễn Văn Kiểm Thử');
    await citizen.fill('#id_number', '001090012345');
    await citizen.fill('#phone', '0912345678');
    await citizen.fill('#address', 'Hà Nội');
    await submitVia(citizen, 'button[name=go][value=next]');
    await check(citizen, `/procedures/${PROCEDURE}/apply (step 3)`, lang);
    await visit(citizen, '/dossiers (with an unfinished submission)', '/dossiers', lang);
    await citizen.goto(BASE + withLang(`/procedures/${PROCEDURE}/apply`, lang));
    await submitVia(citizen, '#apply-discard');
    await visit(citizen, '/dossiers', '/dossiers', lang);
    await visit(citizen, '/dossiers/{id} (draft)', `/dossiers/${draft}`, lang);
    await citizen.goto(BASE + withLang(`/dossiers/${draft}`, lang));
    await submitVia(citizen, 'form.upload button[type=submit]');
    await check(citizen, '/dossiers/{id} (upload posted empty, errors)', lang);
    await visit(citizen, '/dossiers/{id} (submitted)', `/dossiers/${id}?done=submitted`, lang);
  }

  // Official of CAX.00004: the desk and the dossiers in each state, through the desk's forms.
  const official = await (await browser.newContext({ viewport: WIDE })).newPage();
  if (!(await signIn(official, OFFICIAL))) throw new Error(`official ${OFFICIAL.user} could not sign in`);
  for (const lang of LANGS) {
    await visit(official, '/desk', '/desk', lang);
    await visit(official, '/desk/dossiers/{id} (submitted)', `/desk/dossiers/${id}`, lang);
    for (const action of ['request_supplement', 'refuse']) {
      await official.goto(BASE + withLang(`/desk/dossiers/${id}`, lang));
      await submitVia(official, `main form:has(input[name=action][value="${action}"]) button[type=submit]`);
      await check(official, `/desk/dossiers/{id} (${action} without reason, errors)`, lang);
    }
  }
  await deskAction(official, id, 'receive');
  for (const lang of LANGS) await visit(official, '/desk/dossiers/{id} (received)', `/desk/dossiers/${id}`, lang);
  // Assisted submission at the desk: the form, its errors, the scans page, the receipt; the
  // citizen's claim form with errors.
  const assistedDraft = await assistedSubmission(official, BASE, { submit: false });
  const assisted = await assistedSubmission(official, BASE, { idNumber: '001085054321' });
  for (const lang of LANGS) {
    await visit(official, '/desk/assisted', '/desk/assisted', lang);
    await visit(official, `/desk/assisted?procedure=${PROCEDURE}`, `/desk/assisted?procedure=${PROCEDURE}`, lang);
    await official.goto(BASE + withLang(`/desk/assisted?procedure=${PROCEDURE}`, lang));
    await submitVia(official, '#assisted-create');
    await check(official, '/desk/assisted (posted empty, errors)', lang);
    await visit(official, '/desk/assisted?procedure=cu+tru (search)', '/desk/assisted?procedure=cu+tru', lang);
    await visit(official, '/desk/assisted/{id} (scans)', `/desk/assisted/${assistedDraft.id}`, lang);
    await visit(official, '/desk/dossiers/{id}/receipt', `/desk/dossiers/${assisted.id}/receipt`, lang);
    await citizen.goto(BASE + withLang('/dossiers', lang));
    await submitVia(citizen, '#claim-submit');
    await check(citizen, '/dossiers (claim posted empty, errors)', lang);
  }
  await uploadResult(official, id);
  for (const lang of LANGS) await visit(official, '/desk/dossiers/{id} (result attached)', `/desk/dossiers/${id}`, lang);
  await deskAction(official, id, 'approve');
  for (const lang of LANGS) await visit(official, '/desk/dossiers/{id} (approved)', `/desk/dossiers/${id}`, lang);
  await deskAction(official, id, 'return_result');
  await deskAction(official, toSupplement, 'request_supplement', 'Thiếu bản sao căn cước công dân. / The ID card copy is missing.');
  await deskAction(official, toRefuse, 'refuse', 'Không thuộc thẩm quyền. / Not within this agency’s competence.');
  for (const lang of LANGS) {
    await visit(official, '/desk/dossiers/{id} (returned)', `/desk/dossiers/${id}`, lang);
    await visit(official, '/desk?status=returned', '/desk?status=returned', lang);
    await visit(official, '/desk/dossiers/{id} (supplement requested)', `/desk/dossiers/${toSupplement}`, lang);
    await visit(citizen, '/dossiers/{id} (returned, with result)', `/dossiers/${id}`, lang);
    await visit(citizen, '/dossiers/{id} (supplement requested)', `/dossiers/${toSupplement}`, lang);
    await visit(citizen, '/dossiers/{id} (refused)', `/dossiers/${toRefuse}`, lang);
    await visit(citizen, '/dossiers (all states)', '/dossiers', lang);
  }

  if (ADMIN) {
    const admin = await (await browser.newContext({ viewport: WIDE })).newPage();
    if (!(await signIn(admin, ADMIN))) throw new Error(`admin ${ADMIN.user} could not sign in`);
    for (const lang of LANGS) {
      await visit(admin, '/admin/calendar', '/admin/calendar', lang);
      await admin.goto(BASE + withLang('/admin/calendar', lang));
      await submitVia(admin, 'main form[action="/admin/calendar"] button[type=submit]');
      await check(admin, '/admin/calendar (posted empty, errors)', lang);
    }
    const decisions = readFileSync(new URL('../../data/holidays/vn-civil-service-days-off.json', import.meta.url), 'utf8');
    await admin.goto(`${BASE}/admin/calendar?lang=vi`);
    await admin.fill('#content', decisions);
    await submitVia(admin, 'main form[action="/admin/calendar"] button[type=submit]');
    if ((await admin.locator('main table').count()) === 0) throw new Error('the calendar load did not show in its history');
    for (const lang of LANGS) await visit(admin, '/admin/calendar (after a load)', '/admin/calendar', lang);
    for (const lang of LANGS) {
      await visit(admin, '/admin/officials?agency=CAX.00004', '/admin/officials?agency=CAX.00004', lang);
      await visit(admin, '/admin/officials?agency=NOPE (errors)', '/admin/officials?agency=NOPE', lang);
    }
  }

  // A phone-sized screen, 320 px wide (WCAG 1.4.10 reflow): a few pages.
  for (const page of [anon, citizen, official]) await page.setViewportSize(NARROW);
  for (const lang of LANGS) {
    await visit(anon, '/ @320px', '/', lang);
    await anon.goto(BASE + withLang('/register', lang));
    await submitVia(anon, 'main form[action="/register"] button[type=submit]');
    await check(anon, '/register (errors) @320px', lang);
    await visit(citizen, `/procedures/${PROCEDURE} (signed in) @320px`, `/procedures/${PROCEDURE}?agency_q=Ba+Dinh`, lang);
    await visit(citizen, '/dossiers/{id} @320px', `/dossiers/${id}`, lang);
    await visit(citizen, '/dossiers/{id} (draft) @320px', `/dossiers/${draft}`, lang);
    await visit(official, '/desk @320px', '/desk', lang);
    await visit(official, '/desk/dossiers/{id} @320px', `/desk/dossiers/${id}`, lang);
    await visit(official, `/desk/assisted?procedure=${PROCEDURE} @320px`, `/desk/assisted?procedure=${PROCEDURE}`, lang);
    await visit(official, '/desk/dossiers/{id}/receipt @320px', `/desk/dossiers/${assisted.id}/receipt`, lang);
  }
} catch (e) {
  console.error(`axe.mjs: ${e.stack || e}`);
  exitCode = 2;
} finally {
  await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
