// report.mjs checks an nbconvert HTML report as a reader sees it: it loads
// the page in Debian's chromium (headless, driven by puppeteer-core) in a
// window 1000 px wide, saves a screenshot of the whole page, and looks for
// outputs that do not fit:
//   - an output area wider than its box (it scrolls sideways or cuts) or
//     than the page,
//   - an image, chart (svg) or table that reaches past its output area,
//   - a chart's text that reaches past the chart's own frame (clipped).
//
// usage: node report.mjs REPORT.html SCREENSHOT.png
//
// The last line of its output is a JSON report: {outputs, charts, tables,
// problems}; the exit status is 1 when there are problems.
import fs from "node:fs";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [report, screenshot] = process.argv.slice(2);
if (!report || !screenshot) {
  console.error("usage: node report.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
fs.mkdirSync(path.dirname(screenshot), { recursive: true });
const width = 1000;
const result = { report: path.basename(report), outputs: 0, charts: 0, tables: 0, problems: [] };

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", `--window-size=${width},1000`],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 1000 });
  // Page errors (the gonb comm script of a static report finds no kernel) are the report's own business.
  // The report is one file; its scripts (MathJax, require.js) may try the
  // network, which is not there: do not wait for them.
  await page.goto("file://" + path.resolve(report), { waitUntil: "load", timeout: 120000 });
  await page.evaluate(() => document.fonts.ready);
  const found = await page.evaluate(measure);
  Object.assign(result, found);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewport({ width, height: Math.min(Math.max(height, 1000), 30000) });
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (err) {
  result.problems.push("checking the report: " + (err && err.stack ? err.stack : err));
} finally {
  await browser.close();
}
for (const p of result.problems) console.error("PROBLEM: " + p);
console.log(JSON.stringify(result));
process.exit(result.problems.length ? 1 : 0);

// measure runs in the page: it finds every output of the report and
// returns what does not fit. It handles both of nbconvert's templates
// (lab: .jp-OutputArea-output, classic: .output_subarea).
function measure() {
  const problems = [];
  const slack = 1; // px: sub-pixel rounding
  const outputs = [...document.querySelectorAll(".jp-OutputArea-output, .output_subarea")];
  const cellOf = (el) => {
    const cell = el.closest(".jp-Cell, .cell");
    const all = [...document.querySelectorAll(".jp-Cell, .cell")];
    const prompt = cell && cell.querySelector(".jp-InputPrompt, .input_prompt");
    const src = cell && cell.querySelector(".jp-InputArea-editor, .input_area");
    const first = src ? src.textContent.trim().split("\n")[0].slice(0, 60) : "";
    return `cell ${all.indexOf(cell)} ${prompt ? prompt.textContent.trim() : ""} (${first})`;
  };
  const describe = (el) => {
    const cls = el.getAttribute("class");
    return el.tagName.toLowerCase() + (cls ? "." + String(cls).trim().split(/\s+/).join(".") : "");
  };
  const snippet = (s) => s.replace(/\s+/g, " ").trim().slice(0, 80);
  let charts = 0;
  let tables = 0;
  // A table too wide for the cell can widen the cell itself past the page
  // (a flex layout): then nothing overflows its own box, but the page cuts it.
  const page = document.documentElement.clientWidth;
  for (const out of outputs) {
    const box = out.getBoundingClientRect();
    if (box.width === 0) continue;
    const where = cellOf(out);
    if (box.right > page + slack) {
      problems.push(`${where}: an output spans x ${Math.round(box.left)}–${Math.round(box.right)}, past the page's ${page} px: ${snippet(out.textContent)}`);
      continue;
    }
    if (out.scrollWidth > out.clientWidth + slack) {
      problems.push(`${where}: an output is ${out.scrollWidth} px wide in a box of ${out.clientWidth} px (it scrolls sideways): ${snippet(out.textContent)}`);
    }
    for (const el of out.querySelectorAll("img, svg, table, pre")) {
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
      if (el.parentElement && el.parentElement.closest("svg")) continue;
      const tag = el.tagName.toLowerCase();
      if (tag === "svg") charts++;
      if (tag === "table") tables++;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.right > box.right + slack || r.left < box.left - slack) {
        problems.push(`${where}: ${describe(el)} spans x ${Math.round(r.left)}–${Math.round(r.right)} past its output area ${Math.round(box.left)}–${Math.round(box.right)}`);
      }
      if ((tag === "pre" || tag === "table") && el.scrollWidth > el.clientWidth + slack) {
        problems.push(`${where}: ${describe(el)} holds ${el.scrollWidth} px of text in ${el.clientWidth} px: ${snippet(el.textContent)}`);
      }
      if (tag !== "svg") continue;
      // Text drawn past the chart's frame is clipped (svg overflow is
      // hidden) or spills over what is next to the chart.
      for (const t of el.querySelectorAll("text")) {
        const tr = t.getBoundingClientRect();
        if (tr.width === 0 || !t.textContent.trim()) continue;
        if (tr.left < r.left - slack || tr.right > r.right + slack || tr.top < r.top - slack || tr.bottom > r.bottom + slack) {
          problems.push(`${where}: chart text "${snippet(t.textContent)}" spans x ${Math.round(tr.left)}–${Math.round(tr.right)}, y ${Math.round(tr.top)}–${Math.round(tr.bottom)} outside its chart x ${Math.round(r.left)}–${Math.round(r.right)}, y ${Math.round(r.top)}–${Math.round(r.bottom)}`);
        }
      }
      // Bars and marks drawn past the chart's frame.
      for (const m of el.querySelectorAll("rect, circle, path, line, polyline")) {
        const mr = m.getBoundingClientRect();
        if (mr.width === 0 && mr.height === 0) continue;
        if (mr.left < r.left - slack || mr.right > r.right + slack || mr.top < r.top - slack || mr.bottom > r.bottom + slack) {
          problems.push(`${where}: a chart's ${m.tagName} spans x ${Math.round(mr.left)}–${Math.round(mr.right)}, y ${Math.round(mr.top)}–${Math.round(mr.bottom)} outside its chart x ${Math.round(r.left)}–${Math.round(r.right)}, y ${Math.round(r.top)}–${Math.round(r.bottom)}`);
          break;
        }
      }
    }
  }
  return { outputs: outputs.length, charts, tables, problems };
}
