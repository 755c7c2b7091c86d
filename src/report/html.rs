//! `report.html`: the run at a glance, one self-contained page (inline CSS
//! and a little inline script, nothing from the network): the verdict, the
//! inputs, the causes, the findings by code as a chart, the people to send
//! back and a table of findings to filter. Written with maud, which escapes
//! every value; no PIN is ever in the outcome to be shown.

use super::causes::thousands;
use super::errors_csv;
use super::Words;
use crate::finding::{Code, Severity};
use crate::output::Output;
use crate::reconcile::Outcome;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::io::{self, Write};

pub struct ReportHtml;

/// The findings table shows this many, in errors.csv's order.
pub const FINDINGS: usize = 20_000;
/// The people to send back, listed up to this many.
pub const SEND_BACK: usize = 1_000;

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 78em; padding: 0 1em; color: #1d2330; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #d7dbe3; padding-bottom: .2em; }
.verdict { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.verdict div { border-radius: 6px; padding: .6em 1em; min-width: 10em; }
.verdict b { display: block; font-size: 1.8em; }
.ready { background: #e3f4e8; } .back { background: #fde8e6; } .missing { background: #fff4d6; } .same { background: #eef1f6; }
.ok { color: #1d7a3a; } .bad { color: #b3261e; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #eceef3; vertical-align: top; overflow-wrap: anywhere; }
p, li { overflow-wrap: anywhere; }
#findings { table-layout: fixed; }
#findings th:nth-child(1) { width: 5.5em; } #findings th:nth-child(2) { width: 12em; } #findings th:nth-child(3) { width: 14em; }
#findings th:nth-child(4) { width: 8em; } #findings th:nth-child(5) { width: 3.5em; } #findings th:nth-child(6) { width: 8em; } #findings th:nth-child(7) { width: 9em; }
.showing { background: #eef1f6; padding: .3em .6em; border-radius: 4px; }
.showing[hidden] { display: none; }
th { background: #f5f6f9; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "Cascadia Mono", Consolas, monospace; font-size: .92em; }
.sha { word-break: break-all; }
.error td:first-child { color: #b3261e; } .warning td:first-child { color: #8a5a00; } .info td:first-child { color: #5b6475; }
ol.causes li { margin: .4em 0; }
.filters { margin: .6em 0; display: flex; gap: .6em; }
.filters input { flex: 1; padding: .35em; }
.note { color: #5b6475; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2330; }
"#;

/// Builds the findings table from its data, and filters it by text and
/// severity.
const SCRIPT: &str = r#"
(function () {
  var data = JSON.parse(document.getElementById('findings-data').textContent);
  var body = document.querySelector('#findings tbody');
  var rows = [];
  for (var i = 0; i < data.rows.length; i++) {
    var r = data.rows[i];
    var key = r[2];
    var cells = [r[0], r[1], key, data.files[r[3]], r[4] ? String(r[4]) : '', r[5],
                 data.texts[r[6]], data.texts[r[7]].split('\u0001').join(key)];
    var tr = document.createElement('tr');
    tr.className = r[0];
    for (var c = 0; c < cells.length; c++) {
      var td = document.createElement('td');
      td.textContent = cells[c];
      if (c === 2 || c === 3 || c === 6) td.className = 'mono';
      if (c === 4) td.className = 'n';
      tr.appendChild(td);
    }
    body.appendChild(tr);
    rows.push(tr);
  }
  var box = document.getElementById('filter');
  var level = document.getElementById('severity');
  var showing = document.getElementById('showing');
  var cause = null;
  function apply() {
    var q = box.value.toLowerCase();
    var s = level.value;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var d = data.rows[i];
      var show = (!s || r.className === s) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0)
        && (!cause || (d[1] === cause.code && d[5] === cause.field));
      r.style.display = show ? '' : 'none';
    }
    showing.hidden = !cause;
    if (cause) {
      showing.firstChild.textContent = 'Showing the rows of ' + cause.code + (cause.field ? ' in ' + cause.field : '') + '. ';
    }
  }
  box.addEventListener('input', apply);
  level.addEventListener('change', apply);
  var links = document.querySelectorAll('a.rows');
  for (var j = 0; j < links.length; j++) {
    links[j].addEventListener('click', function (e) {
      cause = { code: this.getAttribute('data-code'), field: this.getAttribute('data-field') };
      apply();
    });
  }
  document.getElementById('all-rows').addEventListener('click', function (e) {
    e.preventDefault();
    cause = null;
    apply();
  });
})();
"#;

impl Output<Outcome> for ReportHtml {
    fn file_name(&self) -> &str {
        "report.html"
    }

    fn write(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(page(outcome).into_string().as_bytes())
    }
}

fn page(outcome: &Outcome) -> Markup {
    let words = Words::new(outcome);
    let s = &outcome.summary;
    let a = &s.accounting;
    let balanced = a.rows_balanced && a.requested_balanced;
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "acp-recon report" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "acp-recon report" }
                div.verdict {
                    div.ready { b { (thousands(s.planned)) } "ready to import" }
                    div.back { b { (thousands(s.rejected)) } "rows to send back" }
                    div.missing { b { (thousands(a.requested_missing)) } "missing from the return" }
                    div.same { b { (thousands(s.unchanged)) } "unchanged" }
                }
                p {
                    (thousands(s.returned_rows)) " returned rows = "
                    (thousands(a.planned_rows)) " planned + " (thousands(a.unchanged_rows)) " unchanged + "
                    (thousands(a.rejected_rows)) " rejected; " (thousands(a.requested)) " requested people = "
                    (thousands(a.requested_planned)) " planned + " (thousands(a.requested_unchanged)) " unchanged + "
                    (thousands(a.requested_rejected)) " rejected + " (thousands(a.requested_missing)) " missing. "
                    @if balanced {
                        span.ok { "Every returned row and every requested person is accounted for exactly once." }
                    } @else {
                        span.bad { "The counts do not add up: do not import this plan, and report this with the input files." }
                    }
                }
                p { (thousands(s.errors)) " errors and " (thousands(s.warnings)) " warnings in all." }

                h2 { "Inputs" }
                table {
                    thead { tr { th { "role" } th { "file" } th { "encoding" } th { "layout" } th { "rows" } th { "SHA-256" } } }
                    tbody {
                        @for input in &outcome.inputs.infos {
                            tr {
                                td { (input.role) }
                                td.mono { (input.file) }
                                td { (input.encoding) }
                                td { (input.delimiter) }
                                td.n { (thousands(input.rows)) }
                                td.mono.sha { (input.sha256) }
                            }
                        }
                    }
                }
                @if let Some(line) = super::summary::requested_by(outcome) {
                    p #batches { "Requested " (line) "." }
                }
                @if !outcome.outputs.is_empty() {
                    p #outputs { "Written: " (outcome.outputs.join(", ")) "." }
                }

                h2 { "Causes" }
                @if outcome.findings.causes.is_empty() {
                    p.note { "No mistake repeats over many rows: each finding below is its own." }
                } @else {
                    ol.causes {
                        @for cause in &outcome.findings.causes {
                            li {
                                (words.cause(cause)) " "
                                a.rows href="#findings" data-code=(cause.code.as_str())
                                    data-field=(cause.field.map_or("", |f| f.name())) {
                                    "Show these rows"
                                }
                            }
                        }
                    }
                }

                h2 { "Findings by code" }
                (chart(outcome))

                h2 { "To send back" }
                (send_back(outcome, &words))

                h2 { "Findings" }
                (findings(outcome, &words))
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// One bar a code, most severe first, as inline SVG.
fn chart(outcome: &Outcome) -> Markup {
    let mut counts = vec![0usize; Code::ALL.len()];
    for f in &outcome.findings.list {
        counts[f.code as usize] += 1;
    }
    let mut bars: Vec<(Code, usize)> = Code::ALL
        .iter()
        .map(|&c| (c, counts[c as usize]))
        .filter(|&(_, n)| n > 0)
        .collect();
    bars.sort_by_key(|&(c, n)| (c.severity(), std::cmp::Reverse(n)));
    let most = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    const ROW: usize = 22;
    const LABEL: usize = 210;
    const WIDTH: usize = 520;
    let height = bars.len() * ROW + 4;
    let colour = |c: Code| match c.severity() {
        Severity::Error => "#d9534f",
        Severity::Warning => "#e0a526",
        Severity::Info => "#9aa3b2",
    };
    html! {
        @if bars.is_empty() {
            p.note { "No findings." }
        } @else {
            svg xmlns="http://www.w3.org/2000/svg" width=(LABEL + WIDTH + 90) height=(height) role="img" aria-label="Findings by code" {
                @for (i, (code, n)) in bars.iter().enumerate() {
                    @let y = i * ROW;
                    @let w = (n * WIDTH).div_ceil(most).max(1);
                    text x=(LABEL - 6) y=(y + 15) text-anchor="end" { (code.as_str()) }
                    rect x=(LABEL) y=(y + 3) width=(w) height=(ROW - 6) fill=(colour(*code)) {}
                    text x=(LABEL + w + 6) y=(y + 15) { (thousands(*n)) }
                }
            }
        }
    }
}

fn send_back(outcome: &Outcome, words: &Words<'_>) -> Markup {
    let rows = super::send_back::first(outcome, SEND_BACK);
    let total = outcome.reconciliation.send_back.len();
    let returned = &outcome.inputs.returned.rows;
    html! {
        @if rows.is_empty() {
            p.note { "Nothing to send back." }
        } @else {
            p.note {
                (thousands(total)) " rows, in send-back.csv with their cells as received and a Problems column."
                @if total > rows.len() { " The first " (thousands(rows.len())) " are listed here." }
            }
            table {
                thead { tr { th { "UserPrincipalName" } th { "line" } th { "Problems" } } }
                tbody {
                    @for (row, problems) in &rows {
                        tr {
                            td.mono { (words.outcome.key_text(returned.key(*row))) }
                            td.n { (returned.lines[*row as usize]) }
                            td { (problems) }
                        }
                    }
                }
            }
        }
    }
}

/// The findings table's data: each distinct value and message once (a
/// message with the row's key in it is stored with a mark for the key), so
/// that 20,000 rows of one mistake weigh little; the script below builds
/// the rows with `textContent`, which never reads markup.
#[derive(serde::Serialize, Default)]
struct Table<'a> {
    files: Vec<&'a str>,
    texts: Vec<String>,
    rows: Vec<Row<'a>>,
}

/// A row of the table: severity, code, key, file (in `files`), line (0:
/// none), field, value and message (in `texts`).
type Row<'a> = (
    &'static str,
    &'static str,
    &'a str,
    u8,
    u32,
    &'a str,
    u32,
    u32,
);

/// Marks where a message names its row's key.
const KEY_MARK: char = '\u{1}';

fn table<'a>(outcome: &'a Outcome, words: &Words<'a>, order: &[u32]) -> Table<'a> {
    let mut table = Table {
        files: crate::finding::Input::ALL
            .iter()
            .map(|&i| outcome.file(i))
            .collect(),
        ..Table::default()
    };
    let mut seen: rustc_hash::FxHashMap<String, u32> = rustc_hash::FxHashMap::default();
    let mut text = |t: String, texts: &mut Vec<String>| -> u32 {
        *seen.entry(t).or_insert_with_key(|t| {
            texts.push(t.clone());
            texts.len() as u32 - 1
        })
    };
    for &i in order {
        let f = &outcome.findings.list[i as usize];
        let cell = words.cell(f);
        let key = words.key(f).unwrap_or_default();
        let mut message = words.message_at_string(f, cell);
        if !key.is_empty() {
            message = message.replace(key, &KEY_MARK.to_string());
        }
        let value = words.value_at(f, cell).unwrap_or_default();
        let value = super::messages::clip(&value).into_owned();
        let severity = f.severity().as_str();
        let file = crate::finding::Input::ALL
            .iter()
            .position(|&x| x == f.input)
            .unwrap_or(0) as u8;
        let value = text(value, &mut table.texts);
        let message = text(message, &mut table.texts);
        table.rows.push((
            severity,
            f.code.as_str(),
            key,
            file,
            words.line(f).unwrap_or(0),
            words.field(f).unwrap_or_default(),
            value,
            message,
        ));
    }
    table
}

/// The errors.csv files, parts named: `errors.csv`, or `errors.csv,
/// errors-2.csv and errors-3.csv`.
fn errors_files(outcome: &Outcome) -> String {
    let parts: Vec<&str> = outcome
        .outputs
        .iter()
        .map(String::as_str)
        .filter(|n| *n == "errors.csv" || crate::output::is_part_of(n, "errors.csv"))
        .collect();
    match parts.as_slice() {
        [] => "errors.csv".to_string(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// JSON that can sit inside a `<script>` element: no `<` (so no
/// `</script>`), and no line separators, written as JSON escapes.
fn script_json<T: serde::Serialize>(data: &T) -> String {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".to_string());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn findings(outcome: &Outcome, words: &Words<'_>) -> Markup {
    let order = errors_csv::order(&outcome.findings.list, true);
    let shown = order.len().min(FINDINGS);
    let data = script_json(&table(outcome, words, &order[..shown]));
    html! {
        @if order.len() > shown {
            p.note #first-of {
                "The table shows the first " (thousands(shown)) " of " (thousands(order.len()))
                " findings, errors first; " (errors_files(outcome)) " and report.json have them all."
            }
        }
        p #showing .showing hidden { span {} a #all-rows href="#findings" { "Show every row" } }
        div.filters {
            input #filter type="search" placeholder="Filter: a key, a code, a value…" aria-label="Filter the findings";
            select #severity aria-label="Severity" {
                option value="" { "every severity" }
                option value="error" { "errors" }
                option value="warning" { "warnings" }
                option value="info" { "info" }
            }
        }
        noscript { p.note { "The table needs JavaScript; errors.csv has every finding." } }
        table #findings {
            thead { tr { th { "severity" } th { "code" } th { "UserPrincipalName" } th { "file" } th { "line" } th { "field" } th { "value" } th { "message" } } }
            tbody {}
        }
        script #findings-data type="application/json" { (PreEscaped(data)) }
    }
}
