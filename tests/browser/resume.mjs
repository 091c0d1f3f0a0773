// Drafts that survive (issue 6), in headless Chromium:
//
// 1. With JavaScript off, in vi and en: the submission of 1.010041 is started, steps 1 and 2
//    are saved, then the connection is cut (the context goes offline) as step 3 is sent, and
//    the tab is closed. A new browser context (a new session, as another device would be)
//    signs in, finds the submission under "My dossiers", resumes at step 3 with the earlier
//    answers kept, makes the draft and uploads the PDF; the connection is cut again as it is
//    submitted. A third session finds the draft with its document and submits it.
// 2. With JavaScript on: the session-expiry warning. The page's clock is moved to five minutes
//    before the session ends: what was typed is saved on the server by the script (another
//    session sees it), the warning is announced (role=alert), and "stay signed in" extends
//    the session and hides the warning.
//
// Prints each check and ends with "resume: N passed, M failed"; exit status 1 when M > 0.

import {
  AGENCY, DOSSIER_CODE, LANGS, PDF, PROCEDURE, Tally, WIDE, clickAndWait, currentStep, launch, message, settings,
} from './common.mjs';

const { base: BASE, citizen: CITIZEN } = settings();
const tally = new Tally('resume');
const NEXT = 'button[name=go][value=next]';
const path = (page) => new URL(page.url()).pathname;

async function signedIn(browser, lng, { js = false } = {}) {
  const ctx = await browser.newContext({ viewport: WIDE, javaScriptEnabled: js });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=${lng}`);
  await page.fill('#login', CITIZEN.user);
  await page.fill('#password', CITIZEN.password);
  await clickAndWait(page, 'main form[action="/login"] button[type=submit]');
  if ((await page.locator('form[action="/logout"]').count()) === 0) throw new Error('the citizen could not sign in');
  return { ctx, page };
}

/** Opens the submission of PROCEDURE at step 1 (discarding a half-done one). */
async function freshStart(page, lng) {
  await page.goto(`${BASE}/procedures/${PROCEDURE}?lang=${lng}`);
  await clickAndWait(page, '#apply-start');
  if ((await currentStep(page)) !== '1') {
    await clickAndWait(page, '#apply-discard');
    await clickAndWait(page, '#apply-start');
  }
}

/** Clicks `selector` while the context is offline: the request never reaches the server. */
async function clickOffline(ctx, page, selector) {
  await ctx.setOffline(true);
  let failed = false;
  await Promise.all([
    page.waitForNavigation({ timeout: 10_000 }).catch(() => { failed = true; }),
    page.click(selector),
  ]);
  return failed || (await page.url()).startsWith('chrome-error://');
}

const APPLICANT = {
  full_name: 'Phạm Thị Mất Sóng',
  id_number: '001190054321',
  phone: '0912345679',
  address: 'Bản Sáng, Xã Mường Khương, Lào Cai',
};

async function cutAndResume(browser, lng) {
  // First session: steps 1 and 2, then the connection drops as step 3 is sent.
  const one = await signedIn(browser, lng);
  await freshStart(one.page, lng);
  await one.page.fill('#agency_q', 'Ba Dinh');
  await clickAndWait(one.page, '#agency-search');
  await one.page.check(`input[name=agency_code][value="${AGENCY}"]`);
  await clickAndWait(one.page, NEXT);
  for (const [id, v] of Object.entries(APPLICANT)) await one.page.fill(`#${id}`, v);
  await clickAndWait(one.page, NEXT);
  tally.check((await currentStep(one.page)) === '3', `[${lng}] steps 1 and 2 saved, at step 3`, `at ${one.page.url()}`);
  await one.page.check('input[name=delivery][value=post]');
  const cut = await clickOffline(one.ctx, one.page, NEXT);
  tally.check(cut, `[${lng}] the connection is cut as step 3 is sent`, `at ${one.page.url()}`);
  await one.ctx.close();

  // Second session (another device): "My dossiers" lists the unfinished submission.
  const two = await signedIn(browser, lng);
  await two.page.goto(`${BASE}/dossiers?lang=${lng}`);
  const link = two.page.locator(`main a[href="/procedures/${PROCEDURE}/apply"]`);
  tally.check((await link.count()) === 1, `[${lng}] a new session lists the unfinished submission`, `at ${two.page.url()}`);
  await clickAndWait(two.page, `main a[href="/procedures/${PROCEDURE}/apply"]`);
  tally.check((await currentStep(two.page)) === '3', `[${lng}] it resumes at step 3, where it was left`, `step ${await currentStep(two.page)}`);
  await clickAndWait(two.page, 'button[name=go][value=back]');
  const kept = await two.page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id)?.value])), Object.keys(APPLICANT));
  tally.check(
    Object.entries(APPLICANT).every(([k, v]) => kept[k] === v),
    `[${lng}] step 2's answers were kept on the server`,
    JSON.stringify(kept),
  );
  await clickAndWait(two.page, NEXT);
  await two.page.check('input[name=delivery][value=post]');
  await clickAndWait(two.page, NEXT);
  const m = path(two.page).match(/^\/dossiers\/([^/]+)$/);
  tally.check(Boolean(m) && (await currentStep(two.page)) === '4', `[${lng}] the draft is made; step 4, the documents`, `at ${two.page.url()}`);
  if (!m) throw new Error(`draft not created; at ${two.page.url()}`);
  const id = m[1];
  await two.page.setInputFiles('#file', { name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await two.page.fill('#doc-name', 'Tờ khai');
  await clickAndWait(two.page, 'form.upload button[type=submit]');
  tally.check(two.page.url().includes('done=uploaded'), `[${lng}] the PDF is uploaded`, `at ${two.page.url()}`);
  const cut2 = await clickOffline(two.ctx, two.page, `form[action="/dossiers/${id}/submit"] button[type=submit]`);
  tally.check(cut2, `[${lng}] the connection is cut as the dossier is submitted`);
  await two.ctx.close();

  // Third session: the draft with its document; submitted once.
  const three = await signedIn(browser, lng);
  await three.page.goto(`${BASE}/dossiers/${id}?lang=${lng}`);
  const docs = await three.page.locator('#documents + .table-wrap tbody th').allInnerTexts();
  tally.check(docs.includes('Tờ khai') && (await currentStep(three.page)) === '5', `[${lng}] the draft kept its document; step 5, check and submit`, JSON.stringify(docs));
  await clickAndWait(three.page, `form[action="/dossiers/${id}/submit"] button[type=submit]`);
  const h1 = await three.page.locator('h1').innerText();
  tally.check(three.page.url().includes('done=submitted') && DOSSIER_CODE.test(h1), `[${lng}] submitted; the dossier has its code`, `heading "${h1}"`);
  await three.ctx.close();
}

async function expiryWarning(browser, lng) {
  const ctx = await browser.newContext({ viewport: WIDE });
  // The page's clock is a day wrong, as a cheap phone's may be: the script must count from the
  // seconds left, not from the date the server gives.
  await ctx.clock.install({ time: Date.now() - 24 * 3600 * 1000 });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=${lng}`);
  await page.fill('#login', CITIZEN.user);
  await page.fill('#password', CITIZEN.password);
  await clickAndWait(page, 'main form[action="/login"] button[type=submit]');
  await freshStart(page, lng);
  await page.fill('#agency_q', 'Ba Dinh');
  await clickAndWait(page, '#agency-search');
  await page.check(`input[name=agency_code][value="${AGENCY}"]`);
  await clickAndWait(page, NEXT);
  await page.fill('#full_name', 'Hoàng Văn Chậm');
  await page.fill('#address', 'Thôn 3, Xã Sơn Thủy');
  const expires = Date.parse(await page.locator('#session-warning').getAttribute('data-expires'));
  const remaining = Number(await page.locator('#session-warning').getAttribute('data-remaining'));
  const warning = page.locator('#session-warning');
  tally.check(await warning.isHidden(), `[${lng}] no warning while the session has time left`);

  // Five minutes before the end (the page's clock; the session itself is real).
  await page.clock.fastForward(remaining * 1000 - 4 * 60 * 1000);
  await warning.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
  const text = await page.locator('#session-warning-text').innerText().catch(() => '');
  tally.check(
    (await warning.isVisible()) && text === message(lng, 'session-warning'),
    `[${lng}] five minutes before the end, the warning is announced in ${lng}`,
    `visible ${await warning.isVisible()}, text "${text}"`,
  );
  tally.check(
    (await page.locator('#session-warning-text[role=alert]').count()) === 1,
    `[${lng}] the warning is a live alert for screen readers`,
  );
  // What was typed but not yet sent by a button is on the server: another session sees it.
  const other = await signedIn(browser, lng);
  await other.page.goto(`${BASE}/procedures/${PROCEDURE}/apply?lang=${lng}`);
  const seen = await other.page.evaluate(() => [document.getElementById('full_name')?.value, document.getElementById('address')?.value]);
  tally.check(seen[0] === 'Hoàng Văn Chậm' && seen[1] === 'Thôn 3, Xã Sơn Thủy', `[${lng}] the warning saved what was typed on the server`, JSON.stringify(seen));
  await other.ctx.close();

  // Stay signed in: the session is extended and the warning goes.
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/session/extend')),
    page.click('#session-warning button[type=submit]'),
  ]);
  await warning.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  const later = Date.parse(await warning.getAttribute('data-expires'));
  tally.check(resp.status() === 200 && later > expires && (await warning.isHidden()), `[${lng}] "stay signed in" extends the session and hides the warning`, `status ${resp.status()}, ${expires} → ${later}`);
  tally.check(path(page) === `/procedures/${PROCEDURE}/apply`, `[${lng}] the person stays on the page they were typing in`, `at ${page.url()}`);
  await clickAndWait(page, '#apply-discard');
  await ctx.close();
}

const browser = await launch();
let crashed = false;
try {
  for (const lng of LANGS) await cutAndResume(browser, lng);
  for (const lng of LANGS) await expiryWarning(browser, lng);
} catch (e) {
  console.error(`resume.mjs: ${e.stack || e}`);
  crashed = true;
} finally {
  await browser.close();
}
process.exit(tally.summary(crashed));
