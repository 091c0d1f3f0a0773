// Assisted submission at the one-stop desk, end to end in headless Chromium (issue 6, item 6):
// the desk official (OFFICIAL_USER) opens /desk → "Assisted submission", finds 1.010041 by its
// code, fills in a citizen present at the desk (first with a bad ID number: the error summary
// has focus and everything typed is kept), scans a PDF, "Submit and receive", and gets the
// printable receipt with the dossier code and the appointment (navigation hidden in print).
// Then the citizen (CITIZEN_USER) claims it on "My dossiers" with the code and their ID
// number, lands on the dossier, and finds it in "My dossiers".
//
// Prints each check and ends with "assisted: N passed, M failed"; exit status 1 when M > 0.

import { AGENCY, DOSSIER_CODE, PDF, PROCEDURE, Tally, WIDE, launch, message, settings, settleAutofocus } from './common.mjs';

const { base: BASE, citizen: CITIZEN, official: OFFICIAL } = settings();
const tally = new Tally('assisted');
// A citizen ID number of its own, so that reruns on one server do not meet earlier claims.
const ID_NUMBER = `0010${String(Date.now()).slice(-8)}`;

const path = (page) => new URL(page.url()).pathname;
const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

async function go(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function signIn(browser, who) {
  const ctx = await browser.newContext({ viewport: WIDE });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login?lang=vi`);
  await page.fill('#login', who.user);
  await page.fill('#password', who.password);
  await go(page, 'main form[action="/login"] button[type=submit]');
  if ((await page.locator('form[action="/logout"]').count()) === 0) throw new Error(`${who.user} could not sign in`);
  return { ctx, page };
}

async function run(browser) {
  const lng = 'vi';
  const { ctx: octx, page: desk } = await signIn(browser, OFFICIAL);
  await desk.goto(`${BASE}/desk?lang=${lng}`);
  await go(desk, '#assisted-link');
  await settleAutofocus(desk, 'procedure');
  tally.check(path(desk) === '/desk/assisted' && (await focused(desk)) === 'procedure', 'the desk links to the assisted form; the procedure search has focus', `at ${desk.url()}, focus ${await focused(desk)}`);

  // By keyboard: type the code, Enter.
  await desk.keyboard.type(PROCEDURE);
  await Promise.all([desk.waitForNavigation({ waitUntil: 'load' }), desk.keyboard.press('Enter')]);
  await settleAutofocus(desk, 'agency_code');
  tally.check(
    (await focused(desk)) === 'agency_code' && (await desk.locator('#agency_code').inputValue()) === AGENCY,
    'the procedure found by its code; the agency (the official\'s) has focus',
    `focus ${await focused(desk)}`,
  );
  // Tab order: agency, name, ID number, phone, address.
  const order = [];
  for (let i = 0; i < 4; i++) {
    await desk.keyboard.press('Tab');
    order.push(await focused(desk));
  }
  tally.check(order.join(',') === 'full_name,id_number,phone,address', 'the tab order follows the form', order.join(','));

  await desk.fill('#full_name', 'Lê Thị Tại Quầy');
  await desk.fill('#id_number', '12345');
  await desk.fill('#phone', '0912345679');
  await desk.fill('#address', 'Số 9 Phố Đội Cấn, Phường Ba Đình, Hà Nội');
  await go(desk, '#assisted-create');
  await settleAutofocus(desk, 'error-summary');
  const kept = await desk.evaluate(() => ({
    name: document.getElementById('full_name')?.value,
    id: document.getElementById('id_number')?.value,
    phone: document.getElementById('phone')?.value,
  }));
  tally.check(
    (await focused(desk)) === 'error-summary' && (await desk.locator('#error-summary h2').innerText()) === message(lng, 'error-summary-title'),
    'a bad ID number: the error summary has focus',
    `focus ${await focused(desk)}`,
  );
  tally.check(kept.name === 'Lê Thị Tại Quầy' && kept.id === '12345' && kept.phone === '0912345679', 'everything typed is kept', JSON.stringify(kept));

  await desk.fill('#id_number', ID_NUMBER);
  await go(desk, '#assisted-create');
  const m = path(desk).match(/^\/desk\/assisted\/([^/]+)$/);
  tally.check(Boolean(m), 'the in-person draft is created; the scans page opens', `at ${desk.url()}`);
  if (!m) return;
  const id = m[1];
  await desk.setInputFiles('#file', { name: 'ban-quet-ct01.pdf', mimeType: 'application/pdf', buffer: PDF });
  await desk.fill('#doc-name', 'Tờ khai CT01 (bản quét)');
  await go(desk, 'form.upload button[type=submit]');
  tally.check(
    desk.url().includes('done=uploaded') && (await desk.locator('main ol li').count()) === 1,
    'the scanned PDF is uploaded and listed',
    `at ${desk.url()}`,
  );

  await go(desk, '#submit-receive');
  const code = ((await desk.locator('#receipt-code').innerText().catch(() => '')).match(DOSSIER_CODE) || [])[0];
  const appointment = await desk.locator('#receipt-appointment').innerText().catch(() => '');
  const text = await desk.locator('main').innerText();
  tally.check(
    path(desk) === `/desk/dossiers/${id}/receipt` && Boolean(code) && /^\d{2}\/\d{2}\/\d{4}$/.test(appointment),
    'Submit and receive: the receipt with the dossier code and the appointment date',
    `at ${desk.url()}, code ${code}, appointment "${appointment}"`,
  );
  tally.check(
    text.includes('Giấy tiếp nhận hồ sơ và hẹn trả kết quả') && text.includes('Tờ khai CT01 (bản quét)') && text.includes(ID_NUMBER) && text.includes(`mã ${code}`),
    'the receipt names the papers, the applicant and how to follow it online',
    text.slice(0, 400),
  );
  await desk.emulateMedia({ media: 'print' });
  const printed = await desk.evaluate(() => ({
    header: getComputedStyle(document.querySelector('header.site')).display,
    footer: getComputedStyle(document.querySelector('footer.site')).display,
    code: getComputedStyle(document.getElementById('receipt-code')).display,
  }));
  tally.check(printed.header === 'none' && printed.footer === 'none' && printed.code !== 'none', 'in print, the navigation is hidden and the receipt shown', JSON.stringify(printed));
  await desk.emulateMedia({ media: 'screen' });
  // The dossier is received at the desk.
  await desk.goto(`${BASE}/desk/dossiers/${id}?lang=${lng}`);
  const status = await desk.locator('.status-line .status').innerText();
  tally.check(status === message(lng, 'status-received'), 'the dossier is received', `status "${status}"`);

  // The citizen claims it.
  const { ctx: cctx, page: citizen } = await signIn(browser, CITIZEN);
  await citizen.goto(`${BASE}/dossiers?lang=${lng}`);
  await citizen.fill('#code', code);
  await citizen.fill('#id_number', '001099999999');
  await go(citizen, '#claim-submit');
  await settleAutofocus(citizen, 'error-summary');
  const claimFocus = await focused(citizen);
  const keptCode = await citizen.locator('#code').inputValue();
  tally.check(
    claimFocus === 'error-summary' && keptCode === code,
    'a wrong ID number: not found, told in the error summary, the code kept',
    `focus ${claimFocus}, code field "${keptCode}", expected "${code}"`,
  );
  await citizen.fill('#id_number', ID_NUMBER);
  await go(citizen, '#claim-submit');
  const h1 = await citizen.locator('h1').innerText();
  tally.check(
    path(citizen) === `/dossiers/${id}` && citizen.url().includes('done=claimed') && h1.includes(code),
    'the claim opens the dossier under its code',
    `at ${citizen.url()}, heading "${h1}"`,
  );
  await go(citizen, 'header nav a[href="/dossiers"]');
  const listed = await citizen.locator(`main a[href="/dossiers/${id}"]`).innerText().catch(() => '');
  tally.check(listed === code, 'the claimed dossier is in "My dossiers"', `listed "${listed}"`);
  await cctx.close();
  await octx.close();
}

const browser = await launch();
let crashed = false;
try {
  await run(browser);
} catch (e) {
  console.error(`assisted.mjs: ${e.stack || e}`);
  crashed = true;
} finally {
  await browser.close();
}
process.exit(tally.summary(crashed));
