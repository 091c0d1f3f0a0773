// Keyboard only, in headless Chromium (see run.sh for the environment it needs):
//
// 1. The submission of procedure 1.010041 from the home page, in vi and in en, with nothing
//    but page.keyboard (Tab, Shift+Tab, arrows, Space, Enter, typing; never click()): search
//    the procedure, sign in as the demo citizen, walk the steps (agency, applicant, delivery), attach a PDF
//    through the file chooser opened with Space, submit, and reach the dossier page showing
//    its code. At every focus stop the focused element must show a focus indicator (computed
//    outline or box-shadow) and lie in the viewport.
// 2. Bad input, in vi and in en: a wrong password, step 2 with a bad ID number and a missing
//    address, an upload without a file. After each, focus must be on the error summary (in the
//    page's language), everything typed must still be there, and the summary's link must take
//    the keyboard to the field; the walk then fixes the input and goes on.
// 3. Every other form re-rendered with errors (register, search filter, the desk's actions and
//    upload, the assisted submission, the claim, the administrator's calendar): focus on the
//    error summary at load.
//
// Prints each check and ends with "keyboard: N passed, M failed"; exit status 1 when M > 0.

import {
  AGENCY, DOSSIER_CODE, LANGS, PDF, PROCEDURE, Tally, WIDE, launch, message, settings, settleAutofocus,
} from './common.mjs';

const { base: BASE, citizen: CITIZEN, official: OFFICIAL, admin: ADMIN } = settings();
const tally = new Tally('keyboard');
const MAX_STOPS = 250;

/** What is focused now, with what the focus-indicator check needs. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      type: el.getAttribute('type') || '',
      name: el.getAttribute('name') || '',
      value: el.value ?? '',
      checked: el.checked === true,
      href: el.getAttribute('href') || '',
      form: el.form ? el.form.getAttribute('action') : null,
      text: (el.innerText || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 50),
      outline: `${cs.outlineStyle} ${cs.outlineWidth}`,
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      boxShadow: cs.boxShadow,
      inViewport: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    };
  });
}

function describe(f) {
  if (!f) return '(nothing)';
  const id = f.id ? `#${f.id}` : '';
  const what = f.href ? ` href=${f.href}` : f.name ? ` name=${f.name}` : '';
  return `<${f.tag}${id}${what}> "${f.text}"`;
}

/** The focus-indicator rule: an outline that is drawn, or a box-shadow, and in view. */
function indicatorProblem(f) {
  if (!f) return 'nothing has focus';
  const outline = f.outlineStyle !== 'none' && f.outlineWidth > 0;
  const shadow = f.boxShadow && f.boxShadow !== 'none';
  if (!outline && !shadow) return `no focus indicator (outline ${f.outline}, box-shadow ${f.boxShadow})`;
  if (!f.inViewport) return 'focused element is outside the viewport';
  return null;
}

/** Per page: the number of focus stops seen and those without a visible indicator. */
let stops = 0;
const badStops = [];

function recordStop(page, f) {
  stops++;
  const problem = indicatorProblem(f);
  if (problem) badStops.push(`${new URL(page.url()).pathname}: ${describe(f)}: ${problem}`);
}

/** Presses Tab (or Shift+Tab) until the focused element satisfies `want`, checking the focus
 * indicator at every stop. */
async function tabTo(page, want, label, { back = false } = {}) {
  for (let i = 0; i < MAX_STOPS; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    recordStop(page, f);
    if (f && want(f)) return f;
  }
  throw new Error(`${label}: not reached with ${back ? 'Shift+Tab' : 'Tab'} on ${page.url()}`);
}

const byId = (id) => (f) => f.id === id;
/** The "continue" button of a step of the submission. */
const nextButton = (f) => f.tag === 'button' && f.name === 'go' && f.value === 'next';
/** The number of the current step of the submission on this page ('' when none). */
const currentStep = (page) => page.locator('[aria-current=step] .n').innerText().catch(() => '');

/** Presses `key` and waits for the page it leads to. */
async function pressAndWait(page, key) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
}

/** Tabs to the field `id` and types `text` into it (replacing what it held). */
async function typeInto(page, id, text) {
  await tabTo(page, byId(id), `#${id}`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/** In a radio group reached by Tab, moves with the arrow keys to `value` and checks it. */
async function chooseRadio(page, name, value) {
  let f = await tabTo(page, (x) => x.type === 'radio' && x.name === name, `radio ${name}`);
  for (let i = 0; i < 50 && f.value !== value; i++) {
    await page.keyboard.press('ArrowDown');
    f = await focused(page);
    recordStop(page, f);
  }
  if (f.value !== value) throw new Error(`radio ${name}=${value} not in the group`);
  if (!f.checked) await page.keyboard.press('Space');
  f = await focused(page);
  if (!f.checked) throw new Error(`radio ${name}=${value} not checked by the keyboard`);
}

/** Attaches the PDF through the file chooser opened from the keyboard on #file. */
async function attachPdf(page, name) {
  await tabTo(page, byId('file'), '#file');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), page.keyboard.press('Space')]);
  await chooser.setFiles({ name, mimeType: 'application/pdf', buffer: PDF });
  const n = await page.evaluate(() => document.activeElement.files?.length ?? 0);
  if (n !== 1) throw new Error('the file chooser did not attach the file');
}

/** After a page re-rendered with errors: focus on the summary, in the page's language. */
async function expectSummaryFocus(page, lang, name) {
  await settleAutofocus(page, 'error-summary');
  const f = await focused(page);
  const title = await page.locator('#error-summary h2').innerText().catch(() => '');
  const want = message(lang, 'error-summary-title');
  const onSummary = f && f.id === 'error-summary';
  const problem = indicatorProblem(f);
  tally.check(
    onSummary && !problem && title === want,
    `${name} [${lang}]: focus on the error summary, visible, titled in ${lang}`,
    `focused ${describe(f)}${problem ? `; ${problem}` : ''}; summary title "${title}", expected "${want}"`,
  );
  return onSummary;
}

/** Values of the fields `ids` (and whether radios are checked) as the page holds them. */
function values(page, ids) {
  return page.evaluate((list) => Object.fromEntries(list.map((id) => {
    const el = document.getElementById(id);
    return [id, el ? (el.type === 'radio' ? el.checked : el.value) : undefined];
  })), ids);
}

function expectKept(got, want, name, lang) {
  const diff = Object.entries(want).filter(([k, v]) => got[k] !== v);
  tally.check(
    diff.length === 0,
    `${name} [${lang}]: everything typed is kept`,
    diff.map(([k, v]) => `${k}: ${JSON.stringify(got[k])}, typed ${JSON.stringify(v)}`).join('; '),
  );
}

/** The first link of the error summary to `#id`: Tab to it from the summary, Enter; the field
 * must then have focus. */
async function followSummaryLink(page, id, name, lang) {
  await tabTo(page, (f) => f.href === `#${id}`, `summary link to #${id}`);
  await page.keyboard.press('Enter');
  const f = await focused(page);
  tally.check(f && f.id === id, `${name} [${lang}]: the summary's link takes focus to #${id}`, `focused ${describe(f)}`);
}

function lang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

/** The whole submission with the keyboard; `bad` adds the wrong inputs and their fixing. */
async function walk(browser, lng, { bad }) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  // Playwright intercepts file choosers once a page has a listener; set one now, so the
  // interception is in place well before Space opens the chooser.
  page.on('filechooser', () => {});
  stops = 0;
  badStops.length = 0;
  const name = bad ? 'walk with bad input' : 'walk';

  // Home page, then search the procedure by its code.
  await page.goto(`${BASE}/?lang=${lng}`);
  await typeInto(page, 'q', PROCEDURE);
  await pressAndWait(page, 'Enter');
  await tabTo(page, (f) => f.href === `/procedures/${PROCEDURE}`, 'the search result');
  await pressAndWait(page, 'Enter');
  if (new URL(page.url()).pathname !== `/procedures/${PROCEDURE}`) throw new Error(`not on the procedure page: ${page.url()}`);

  // Sign in from the procedure page's "sign in" link, which brings back here.
  await tabTo(page, (f) => f.href.startsWith('/login?next='), 'the sign-in link');
  await pressAndWait(page, 'Enter');
  await typeInto(page, 'login', CITIZEN.user);
  if (bad) {
    await typeInto(page, 'password', 'not-the-password');
    await pressAndWait(page, 'Enter');
    if (await expectSummaryFocus(page, lng, 'sign-in with a wrong password')) {
      expectKept(await values(page, ['login', 'password']), { login: CITIZEN.user, password: '' }, 'sign-in (password never shown back)', lng);
    }
  }
  await typeInto(page, 'password', CITIZEN.password);
  await pressAndWait(page, 'Enter');
  tally.check(
    new URL(page.url()).pathname === `/procedures/${PROCEDURE}` && (await page.locator('form[action="/logout"]').count()) === 1,
    `${name} [${lng}]: signed in with the keyboard and back on the procedure page`,
    `at ${page.url()}`,
  );

  // The submission in steps: start (a half-done one left by an earlier run is discarded).
  await tabTo(page, byId('apply-start'), 'the start button');
  await pressAndWait(page, 'Enter');
  if ((await currentStep(page)) !== '1') {
    await tabTo(page, byId('apply-discard'), 'discard');
    await pressAndWait(page, 'Enter');
    await tabTo(page, byId('apply-start'), 'the start button');
    await pressAndWait(page, 'Enter');
  }
  // Step 1, the agency: search "Ba Dinh", pick the police of Phường Ba Đình.
  await typeInto(page, 'agency_q', 'Ba Dinh');
  await pressAndWait(page, 'Enter');
  await chooseRadio(page, 'agency_code', AGENCY);
  await tabTo(page, nextButton, 'step 1: continue');
  await pressAndWait(page, 'Enter');
  // Step 2, the applicant.
  const typed = {
    full_name: 'Nguyễn Văn Bàn Phím',
    id_number: bad ? '12345' : '001090012345',
    phone: '0912345678',
    address: bad ? '' : 'Số 1 Phố Đội Cấn, Phường Ba Đình, Hà Nội',
  };
  for (const [id, text] of Object.entries(typed)) await typeInto(page, id, text);
  await tabTo(page, nextButton, 'step 2: continue');
  await pressAndWait(page, 'Enter');

  if (bad) {
    if (await expectSummaryFocus(page, lng, 'step 2 with a bad ID number and no address')) {
      const kept = await values(page, ['full_name', 'id_number', 'phone', 'address']);
      expectKept(kept, typed, 'step 2', lng);
      await followSummaryLink(page, 'id_number', 'step 2', lng);
    }
    // Fix: the ID number (focus is on it when the link worked; typeInto tabs to it otherwise),
    // then the address.
    const f = await focused(page);
    if (!f || f.id !== 'id_number') await tabTo(page, byId('id_number'), '#id_number');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('001090012345');
    await typeInto(page, 'address', 'Số 1 Phố Đội Cấn, Phường Ba Đình, Hà Nội');
    await tabTo(page, nextButton, 'step 2: continue');
    await pressAndWait(page, 'Enter');
  }
  // Step 3, how to receive the result; then the dossier draft exists.
  await chooseRadio(page, 'delivery', 'post');
  await tabTo(page, nextButton, 'step 3: continue');
  await pressAndWait(page, 'Enter');
  const m = new URL(page.url()).pathname.match(/^\/dossiers\/([^/]+)$/);
  if (!m) throw new Error(`draft not created; at ${page.url()}`);
  const id = m[1];

  // The document: an upload without a file first when `bad`, then the PDF.
  const docName = lng === 'vi' ? 'Tờ khai' : 'Declaration form';
  if (bad) {
    await typeInto(page, 'doc-name', docName);
    await tabTo(page, (f) => f.tag === 'button' && f.form === `/dossiers/${id}/documents`, 'the upload button');
    await pressAndWait(page, 'Enter');
    if (await expectSummaryFocus(page, lng, 'upload without a file')) {
      expectKept(await values(page, ['doc-name']), { 'doc-name': docName }, 'upload', lng);
      await followSummaryLink(page, 'file', 'upload', lng);
    }
    // Shift+Tab back above the file field, so that attachPdf's Tab lands on it.
    await tabTo(page, (f) => f.id !== 'file' && f.id !== 'doc-name', 'before #file', { back: true });
  }
  await attachPdf(page, 'to-khai.pdf');
  if (!bad) await typeInto(page, 'doc-name', docName);
  await tabTo(page, (f) => f.tag === 'button' && f.form === `/dossiers/${id}/documents`, 'the upload button');
  await pressAndWait(page, 'Enter');
  tally.check(page.url().includes('done=uploaded'), `${name} [${lng}]: the PDF attached from the keyboard is uploaded`, `at ${page.url()}`);

  // Submit, and the dossier page with its code.
  await tabTo(page, (f) => f.tag === 'button' && f.form === `/dossiers/${id}/submit`, 'the submit button');
  await pressAndWait(page, 'Enter');
  const h1 = await page.locator('h1').innerText();
  tally.check(
    page.url().includes('done=submitted') && DOSSIER_CODE.test(h1) && (await lang(page)) === lng,
    `${name} [${lng}]: submitted; the dossier page shows its code`,
    `at ${page.url()}, heading "${h1}"`,
  );
  const docs = await page.locator('#documents + .table-wrap tbody th').allInnerTexts();
  tally.check(docs.includes(docName), `${name} [${lng}]: the document is listed on the dossier`, `documents: ${JSON.stringify(docs)}`);

  tally.check(
    badStops.length === 0 && stops > 20,
    `${name} [${lng}]: a visible focus indicator at every one of ${stops} focus stops`,
    badStops.join('\n    '),
  );
  await ctx.close();
  return id;
}

/** Opens `path`, submits the form of `button` when given (a click: this part checks where
 * focus lands on the next page, whatever submitted it) and checks focus on the error summary. */
async function errorsFocus(page, lng, name, path, button, typed = {}) {
  await page.goto(`${BASE}${path}${path.includes('?') ? '&' : '?'}lang=${lng}`);
  for (const [id, text] of Object.entries(typed)) await page.fill(`#${id}`, text);
  if (button) await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(button)]);
  await expectSummaryFocus(page, lng, name);
  if (Object.keys(typed).length) expectKept(await values(page, Object.keys(typed)), typed, name, lng);
}

async function signedIn(browser, who) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=vi`);
  await page.fill('#login', who.user);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForNavigation(), page.click('main form[action="/login"] button[type=submit]')]);
  if ((await page.locator('form[action="/logout"]').count()) === 0) throw new Error(`${who.user} could not sign in`);
  return page;
}

const browser = await launch();
let crashed = false;
try {
  let dossier;
  for (const lng of LANGS) dossier = await walk(browser, lng, { bad: false });
  for (const lng of LANGS) await walk(browser, lng, { bad: true });

  // Every other form, re-rendered with errors: focus on the summary at load.
  const anon = await (await browser.newContext({ viewport: WIDE })).newPage();
  const official = await signedIn(browser, OFFICIAL);
  const admin = ADMIN ? await signedIn(browser, ADMIN) : null;
  const citizen = await signedIn(browser, CITIZEN);
  for (const lng of LANGS) {
    await errorsFocus(official, lng, 'assisted submission with a bad ID number', `/desk/assisted?procedure=${PROCEDURE}`, '#assisted-create',
      { full_name: 'Trần Văn Tại Quầy', id_number: '12', phone: '0912345670', address: 'Số 5 Phố Đội Cấn, Hà Nội' });
    await errorsFocus(citizen, lng, 'claim with a short ID number', '/dossiers', '#claim-submit',
      { code: 'CAX.00004-261201-9999', id_number: '12' });
    await errorsFocus(anon, lng, 'register without a password', '/register', 'main form[action="/register"] button[type=submit]',
      { full_name: 'Trần Thị Thử', phone: '0912345678', email: 'thu@example.com', username: 'tranthithu' });
    await errorsFocus(anon, lng, 'sign-in posted empty', '/login', 'main form[action="/login"] button[type=submit]');
    // A GET form: its errors come with the page itself.
    await errorsFocus(anon, lng, 'search with a bad filter', '/procedures?q=cu+tru&level=9', null);
    for (const action of ['request_supplement', 'refuse']) {
      await errorsFocus(official, lng, `desk "${action}" without a reason`, `/desk/dossiers/${dossier}`,
        `main form:has(input[name=action][value="${action}"]) button[type=submit]`);
    }
    if (admin) {
      await errorsFocus(admin, lng, 'calendar load that is not JSON', '/admin/calendar', 'main form[action="/admin/calendar"] button[type=submit]',
        { content: '{"decisions": [' });
    }
  }
  // The desk's result upload needs a received dossier.
  await official.goto(`${BASE}/desk/dossiers/${dossier}?lang=vi`);
  await Promise.all([official.waitForNavigation(), official.click('main form:has(input[name=action][value="receive"]) button[type=submit]')]);
  for (const lng of LANGS) {
    await errorsFocus(official, lng, 'desk result upload without a file', `/desk/dossiers/${dossier}`, 'form.upload button[type=submit]',
      { 'doc-name': 'Kết quả' });
  }
} catch (e) {
  console.error(`keyboard.mjs: ${e.stack || e}`);
  if (badStops.length) console.error(`focus stops without an indicator so far:\n  ${badStops.join('\n  ')}`);
  crashed = true;
} finally {
  await browser.close();
}
process.exit(tally.summary(crashed));
