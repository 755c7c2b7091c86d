//! report.html: one page that works from disk, and that no vendor cell can
//! turn into code. The page is opened in a real browser (Chromium,
//! headless) when one is installed; CI installs it and never skips.

use crate::common::{fixture, reconcile_configured, sample, Run};
use std::path::PathBuf;
use std::process::Command;

/// Chromium's binary, if this machine has one.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ACP_CHROMIUM") {
        return Some(path.into());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// The page's DOM once its script has run, as the browser has it.
fn rendered(run: &Run) -> Option<String> {
    rendered_with(run, "")
}

/// [`rendered`], with `script` run after the page's own, in a window of
/// 1280 by 800: what it puts in the DOM says what it saw.
fn rendered_with(run: &Run, script: &str) -> Option<String> {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium: .ci/run installs it"
        );
        eprintln!("skipped: no Chromium found (set ACP_CHROMIUM, or install chromium)");
        return None;
    };
    let mut page = run.out().join("report.html");
    if !script.is_empty() {
        let html = run.read("report.html");
        let probe = html.replace("</body>", &format!("<script>{script}</script></body>"));
        page = run.dir.path().join("probe.html");
        std::fs::write(&page, probe).unwrap();
    }
    let output = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .args(["--window-size=1280,800", "--hide-scrollbars"])
        .args([
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            run.dir.path().join("chromium").display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn the_page_stands_alone_and_tells_the_verdict_first() {
    let run = sample(&[]);
    let page = run.read("report.html");
    // Nothing from the network: no external script, style, image or font.
    for outside in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(!page.contains(outside), "{outside}");
    }
    let verdict = page.find("ready to import").unwrap();
    for later in [
        "<h2>Inputs</h2>",
        "<h2>Causes</h2>",
        "<h2>Findings by code</h2>",
        "<h2>To send back</h2>",
    ] {
        assert!(verdict < page.find(later).unwrap(), "{later}");
    }
    assert!(page.contains("<b>11</b>ready to import"), "planned");
    assert!(page.contains("<b>17</b>rows to send back"));
    assert!(
        page.contains("share the conference ID 5100016"),
        "the cause"
    );
    assert!(page.contains("<svg"), "the chart");
    // No PIN of the sample's Leader PIN column.
    assert!(!page.contains("7391548"));
}

#[test]
fn hostile_cells_stay_text_in_a_real_browser() {
    let run = reconcile_configured(
        &fixture("roster.csv"),
        &fixture("returned-hostile.csv"),
        &[],
        &[],
    );
    assert_eq!(run.status, 1);
    let Some(dom) = rendered(&run) else { return };
    // The cells' scripts did not run: the title is the report's.
    assert!(dom.contains("<title>acp-recon report</title>"), "{dom}");
    assert!(!dom.contains("<title>pwned"));
    // They are shown, as text, in the table the script built.
    let findings = run.report()["findings"].as_array().unwrap().len();
    assert_eq!(
        dom.matches("<tr class=\"").count(),
        findings,
        "one row a finding"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=\"document.title='pwned'\"&gt;"),
        "{dom}"
    );
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    // The verdict's numbers.
    let planned = run.report()["summary"]["planned"].as_u64().unwrap();
    assert!(
        dom.contains(&format!("<b>{planned}</b>ready to import")),
        "{dom}"
    );
}

/// The page fits a 1280-pixel window however long a value is, and a cause's
/// link shows its rows and no others.
#[test]
fn the_page_fits_the_window_and_a_cause_shows_its_rows() {
    let dir = tempfile::TempDir::new().unwrap();
    let long = format!("{}@contoso.example", "x".repeat(400));
    let mut returned = std::fs::read_to_string(fixture("returned.csv")).unwrap();
    returned.push_str(&format!(
        "{long},Someone,Fabrikam Conferencing,acp.fabrikam.example,{},+18005550199,5100099,,1\n",
        "4".repeat(600)
    ));
    let returned = crate::common::write(&dir, "returned-long.csv", returned.as_bytes());
    for run in [
        sample(&[]),
        reconcile_configured(&fixture("roster.csv"), &returned, &[], &[]),
    ] {
        let script = "document.body.setAttribute('data-width', document.documentElement.scrollWidth + ' ' + window.innerWidth);\
             var link = document.querySelector('a.rows');\
             link.click();\
             var shown = [];\
             document.querySelectorAll('#findings tbody tr').forEach(function (r) { if (r.style.display !== 'none') shown.push(r.children[1].textContent + '|' + r.children[5].textContent); });\
             document.body.setAttribute('data-shown', shown.join(';'));\
             document.body.setAttribute('data-cause', link.getAttribute('data-code') + '|' + link.getAttribute('data-field'));";
        let Some(dom) = rendered_with(&run, script) else {
            return;
        };
        let attr = |name: &str| -> String {
            let at = dom
                .find(&format!("{name}=\""))
                .unwrap_or_else(|| panic!("no {name}"));
            let rest = &dom[at + name.len() + 2..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        let width = attr("data-width");
        let (page, window) = width.split_once(' ').unwrap();
        let (page, window): (u32, u32) = (page.parse().unwrap(), window.parse().unwrap());
        assert_eq!(window, 1280);
        assert!(page <= window, "the page is {page} pixels wide");
        let cause = attr("data-cause");
        let shown = attr("data-shown");
        assert!(!shown.is_empty(), "the link showed nothing");
        assert!(shown.split(';').all(|row| row == cause), "{cause}: {shown}");
        let report = run.report();
        let (code, field) = cause.split_once('|').unwrap();
        let rows = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code && f["field"].as_str().unwrap_or("") == field)
            .count();
        assert_eq!(shown.split(';').count(), rows, "{cause}");
    }
}
