// drive.mjs runs a notebook in Jupyter Notebook 6 in a real browser
// (Debian's chromium, headless, driven by puppeteer-core) the way a user
// does, and checks what the user sees.
//
// usage: node drive.mjs NOTEBOOK_URL ARTIFACTS_DIR [README_IMAGE]
//
// It runs the code cells one by one. While a %search cell runs it watches
// the live chart: it must be redrawn in place (one chart element whose
// content changes). Once the leaderboard has a scored arm it clicks the
// cell's Stop button, then checks that the chart's headline, the
// leaderboard's first row and the printed summary name the same winner
// with the same score, and that every arm's pulls and steps count the same
// pulls and add up to the summary's count (cut pulls included). It fails on any error output or a cell that does
// not finish, and saves a screenshot of the whole notebook (and of the
// search cell, to README_IMAGE when given) in ARTIFACTS_DIR, and saves the
// notebook with its outputs. The last line of its output is a JSON report.
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [url, artifacts, readmeImage] = process.argv.slice(2);
if (!url || !artifacts) {
  console.error("usage: node drive.mjs NOTEBOOK_URL ARTIFACTS_DIR [README_IMAGE]");
  process.exit(2);
}
fs.mkdirSync(artifacts, { recursive: true });
const name = path.basename(new URL(url).pathname, ".ipynb");
const report = { notebook: name, cells: [], search: null, problems: [] };
const problem = (msg) => {
  console.error("PROBLEM: " + msg);
  report.problems.push(msg);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1000"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 1000 });
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(url, { waitUntil: "networkidle2", timeout: 180000 });
  await page.waitForFunction(
    () => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected(),
    { timeout: 180000, polling: 500 },
  );
  await page.evaluate(() => Jupyter.notebook.clear_all_output());
  const cells = await page.evaluate(() =>
    Jupyter.notebook.get_cells().map((c, i) => ({ index: i, type: c.cell_type, source: c.get_text() })),
  );
  for (const cell of cells) {
    if (cell.type !== "code") continue;
    const started = Date.now();
    await page.evaluate((i) => Jupyter.notebook.execute_cells([i]), cell.index);
    const isSearch = cell.source.trimStart().startsWith("%search");
    if (isSearch) {
      report.search = await watchSearch(page, cell.index);
    }
    await waitDone(page, cell.index, 900000);
    const out = await page.evaluate((i) => {
      const c = Jupyter.notebook.get_cell(i);
      return {
        prompt: c.element.find(".input_prompt").text(),
        errors: c.output_area.outputs.filter((o) => o.output_type === "error").map((o) => o.ename + ": " + o.evalue),
        text: c.output_area.element.text(),
      };
    }, cell.index);
    report.cells.push({ index: cell.index, source: cell.source.slice(0, 60), seconds: (Date.now() - started) / 1000, prompt: out.prompt, errors: out.errors });
    for (const e of out.errors) problem(`cell ${cell.index} (${cell.source.split("\n")[0]}) failed: ${e}`);
    if (isSearch && report.search) {
      checkAgreement(report.search, await readNumbers(page, cell.index), out.text);
      const el = await page.evaluateHandle((i) => Jupyter.notebook.get_cell(i).element[0], cell.index);
      await el.asElement().scrollIntoView();
      const shot = path.join(artifacts, name + "-search.png");
      await el.asElement().screenshot({ path: shot });
      if (readmeImage) fs.copyFileSync(shot, readmeImage);
    }
    if (out.errors.length) break;
  }
  // Saved with its outputs, the notebook is what the test converts to an
  // HTML report and checks (report.mjs).
  await page.evaluate(() => Promise.resolve(Jupyter.notebook.save_notebook()).then(() => true));
  // The whole notebook: Notebook 6 scrolls inside #site, so let it grow.
  const height = await page.evaluate(() => {
    const site = document.getElementById("site");
    site.style.height = "auto";
    site.style.overflow = "visible";
    document.body.style.overflow = "visible";
    return document.documentElement.scrollHeight;
  });
  await page.setViewport({ width: 1100, height: Math.min(Math.max(height, 1000), 30000) });
  await page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });
} catch (err) {
  problem("driving the notebook: " + (err && err.stack ? err.stack : err));
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
process.exit(report.problems.length ? 1 : 0);

// waitDone waits until cell i has run: not marked running, a number in
// its prompt.
async function waitDone(page, i, timeout) {
  await page.waitForFunction(
    (i) => {
      const c = Jupyter.notebook.get_cell(i);
      return !c.element.hasClass("running") && /\[\d+\]/.test(c.element.find(".input_prompt").text());
    },
    { timeout, polling: 250 },
    i,
  );
}

// watchSearch samples the search cell's chart while it runs, clicks Stop
// once an arm has a score, and returns what it saw.
async function watchSearch(page, i) {
  const seen = { frames: 0, maxCharts: 0, clickedStop: false, firstOutputSeconds: null };
  const t0 = Date.now();
  let last = "";
  while (Date.now() - t0 < 600000) {
    const s = await page.evaluate((i) => {
      const c = Jupyter.notebook.get_cell(i);
      const el = c.element[0];
      const charts = el.querySelectorAll(".supersonic-chart");
      const scored = [...el.querySelectorAll(".supersonic-leaderboard tbody tr")].some((tr) => /\d\.\d{4}/.test(tr.children[2]?.textContent || ""));
      const stop = el.querySelector(".supersonic-stop button");
      return {
        running: c.element.hasClass("running"),
        outputs: c.output_area.outputs.length,
        charts: charts.length,
        chart: charts.length ? charts[0].innerHTML.length + ":" + charts[0].textContent : "",
        scored,
        stop: !!stop && !stop.disabled,
      };
    }, i);
    if (s.outputs > 0 && seen.firstOutputSeconds === null) seen.firstOutputSeconds = (Date.now() - t0) / 1000;
    seen.maxCharts = Math.max(seen.maxCharts, s.charts);
    if (s.chart && s.chart !== last) {
      seen.frames++;
      last = s.chart;
    }
    if (!s.running && seen.frames > 0) break;
    if (!seen.clickedStop && s.scored && s.stop && seen.frames >= 3) {
      await page.evaluate((i) => Jupyter.notebook.get_cell(i).element[0].querySelector(".supersonic-stop button").click(), i);
      seen.clickedStop = true;
      seen.stopSeconds = (Date.now() - t0) / 1000;
    }
    await sleep(300);
  }
  if (seen.frames < 3) problem(`the live chart changed ${seen.frames} times while the search ran; want at least 3`);
  if (seen.maxCharts !== 1) problem(`the search cell showed ${seen.maxCharts} charts at once; the live chart must be redrawn in place`);
  if (!seen.clickedStop) problem("the Stop button was never clickable while an arm had a score");
  return seen;
}

// readNumbers reads the winner as the chart, the leaderboard and the
// printed summary state it.
async function readNumbers(page, i) {
  return page.evaluate((i) => {
    const el = Jupyter.notebook.get_cell(i).element[0];
    const chart = [...el.querySelectorAll(".supersonic-chart svg text")].map((t) => t.textContent).join(" ");
    const rows = [...el.querySelectorAll(".supersonic-leaderboard tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent.trim()));
    const cells = rows[0] || [];
    return {
      chart,
      leaderboard: { arm: cells[1] || "", score: cells[2] || "", best: cells[3] || "", pulls: cells[4] || "" },
      rows: rows.map((c) => ({ arm: c[1] || "", pulls: c[4] || "", steps: c[5] || "", status: c[6] || "" })),
    };
  }, i);
}

function checkAgreement(search, seen, text) {
  search.numbers = seen;
  const m = /winner ([^:]+): score (\d\.\d{4}), best (\d\.\d{4})/.exec(seen.chart);
  const s = /winner: (.+), score (\d\.\d{4}), best (\d\.\d{4})/.exec(text);
  if (!m) return problem(`the chart's headline names no winner: ${seen.chart.slice(0, 300)}`);
  if (!s) return problem(`the summary names no winner: ${text.slice(-400)}`);
  const lb = seen.leaderboard;
  search.agreed = { chart: [m[1], m[2], m[3]], leaderboard: [lb.arm, lb.score, lb.best], summary: [s[1], s[2], s[3]] };
  const same = (a, b) => a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim();
  if (!same(m[1], lb.arm) || !same(s[1], lb.arm)) problem(`winners differ: chart ${m[1]}, leaderboard ${lb.arm}, summary ${s[1]}`);
  if (m[2] !== lb.score || s[2] !== lb.score) problem(`scores differ: chart ${m[2]}, leaderboard ${lb.score}, summary ${s[2]}`);
  if (m[3] !== lb.best || s[3] !== lb.best) problem(`best scores differ: chart ${m[3]}, leaderboard ${lb.best}, summary ${s[3]}`);
  // Every arm's pulls and steps count the same pulls ("2 + 1 cut" and
  // "1.2k + 182 cut"), and the rows add up to the summary's count.
  const total = /after (\d+) pulls?(?: \+ (\d+) cut)?/.exec(text);
  let finished = 0;
  let cut = 0;
  for (const r of seen.rows) {
    const p = /^(\d+)(?: \+ (\d+) cut)?$/.exec(r.pulls);
    if (!p) {
      problem(`arm ${r.arm}: pulls cell "${r.pulls}" is not "N" or "N + M cut"`);
      continue;
    }
    finished += +p[1];
    cut += +(p[2] || 0);
    const stepsCut = / \+ .* cut$/.test(r.steps);
    if (r.steps !== "–" && !stepsCut && +p[1] === 0) problem(`arm ${r.arm}: ${r.steps} steps but no finished pull (${r.pulls})`);
    if (stepsCut && !p[2]) problem(`arm ${r.arm}: steps "${r.steps}" count a cut pull that its pulls "${r.pulls}" do not`);
  }
  if (!total) return problem(`the summary counts no pulls: ${text.slice(-400)}`);
  if (+total[1] !== finished || +(total[2] || 0) !== cut) {
    problem(`the summary counts ${total[0]}, the leaderboard ${finished} pulls + ${cut} cut`);
  }
  search.agreed.pulls = [String(finished), String(cut)];
}
