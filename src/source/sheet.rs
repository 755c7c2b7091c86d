//! Spreadsheets with calamine: `.xlsx`, `.xlsb`, `.xls`, `.ods`, told apart
//! by content. Cells become the text a person saw; numeric cells are also
//! kept as numbers, because a number in a phone or ID column is where
//! Excel's damage shows and the normalize step must judge it.

use super::NumericCell;
use crate::columns::{ColumnMap, Field};
use crate::error::Error;
use calamine::{Data, Ods, Range, Reader, Xls, Xlsb, Xlsx};
use std::collections::HashMap;
use std::io::Cursor;

/// Zip (xlsx, ods) and OLE2 (xls) containers, whatever the extension says.
pub fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// One sheet of a workbook, read: its header and its rows as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// `xlsx`, `xlsb`, `xls` or `ods`.
    pub kind: &'static str,
    pub name: String,
    /// The sheet column of the first column read (0-based).
    pub first_column: u32,
    /// The sheet row of the header (1-based).
    pub header_line: u32,
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
    pub blank_rows: usize,
}

/// A data row of a sheet.
#[derive(Debug, Clone)]
pub struct SheetRow {
    /// The sheet row (1-based).
    pub line: u32,
    pub cells: Vec<String>,
    pub numbers: Vec<NumericCell>,
}

impl Sheet {
    /// The header as one CSV line, for diagnostics that point into it.
    pub fn header_text(&self) -> String {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&self.headers);
        let bytes = w.into_inner().unwrap_or_default();
        let line = String::from_utf8_lossy(&bytes);
        let mut text = "\n".repeat(self.header_line.saturating_sub(1) as usize);
        text.push_str(line.trim_end());
        text
    }
}

/// Reads one sheet (the first unless `sheet` names one).
pub fn read(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    aliases: &[(Field, String)],
) -> Result<Sheet, Error> {
    let fail = |message: String| Error::Sheet {
        file: file.to_string(),
        message,
    };
    let (kind, (chosen, range)) = if bytes.starts_with(b"PK") {
        // Zip containers: xlsx, then xlsb, then ods.
        match Xlsx::new(Cursor::new(bytes)) {
            Ok(book) => ("xlsx", pick(file, book, sheet)?),
            Err(_) => match Xlsb::new(Cursor::new(bytes)) {
                Ok(book) => ("xlsb", pick(file, book, sheet)?),
                Err(_) => {
                    let book = Ods::new(Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
                    ("ods", pick(file, book, sheet)?)
                }
            },
        }
    } else {
        let book = Xls::new(Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
        ("xls", pick(file, book, sheet)?)
    };
    // Only xlsx number formats are read; the other kinds keep none.
    let formats = match kind {
        "xlsx" => xlsx_formats::read(bytes, &chosen).unwrap_or_default(),
        _ => HashMap::new(),
    };
    Ok(rows(kind, chosen, &range, &formats, aliases))
}

/// The chosen sheet of an open workbook, by name, with its cells.
fn pick<RS, R>(
    file: &str,
    mut book: R,
    wanted: Option<&str>,
) -> Result<(String, Range<Data>), Error>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let chosen = choose(file, &book.sheet_names(), wanted)?;
    let range = book.worksheet_range(&chosen).map_err(|e| Error::Sheet {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    Ok((chosen, range))
}

fn choose(file: &str, names: &[String], wanted: Option<&str>) -> Result<String, Error> {
    match wanted {
        None => names.first().cloned().ok_or_else(|| Error::Sheet {
            file: file.to_string(),
            message: "the workbook has no sheets".into(),
        }),
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(w)))
            .cloned()
            .ok_or_else(|| Error::NoSuchSheet {
                file: file.to_string(),
                sheet: w.to_string(),
                available: names
                    .iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
    }
}

fn rows(
    kind: &'static str,
    name: String,
    range: &Range<Data>,
    formats: &HashMap<(u32, u32), String>,
    aliases: &[(Field, String)],
) -> Sheet {
    let (top, left) = range.start().unwrap_or((0, 0));
    let texts: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    // A title or a blank line may stand above the header: take the first
    // row that names the key column, else the first row with any text.
    let header = texts
        .iter()
        .take(50)
        .position(|r| ColumnMap::resolve(r, aliases).has(Field::Key))
        .or_else(|| {
            texts
                .iter()
                .position(|r| r.iter().any(|c| !c.trim().is_empty()))
        })
        .unwrap_or(0);
    let headers: Vec<String> = texts
        .get(header)
        .map(|r| r.iter().map(|h| h.trim().to_string()).collect())
        .unwrap_or_default();
    let mut sheet = Sheet {
        kind,
        name,
        first_column: left,
        header_line: top + header as u32 + 1,
        headers,
        rows: Vec::new(),
        blank_rows: 0,
    };
    for (i, (cells, raw)) in texts
        .into_iter()
        .zip(range.rows())
        .enumerate()
        .skip(header + 1)
    {
        if cells.iter().all(|c| c.trim().is_empty()) {
            sheet.blank_rows += 1;
            continue;
        }
        let sheet_row = top + i as u32;
        let numbers = raw
            .iter()
            .enumerate()
            .filter_map(|(c, cell)| {
                let value = match cell {
                    Data::Float(f) => *f,
                    Data::Int(i) => *i as f64,
                    _ => return None,
                };
                Some(NumericCell {
                    column: c as u32,
                    value,
                    format: formats
                        .get(&(sheet_row, left + c as u32))
                        .map(|f| f.as_str().into()),
                })
            })
            .collect();
        sheet.rows.push(SheetRow {
            line: sheet_row + 1,
            cells,
            numbers,
        });
    }
    sheet
}

/// The text a person sees in a cell. Numbers that Excel would show without
/// decimals are written without `.0`.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        // Only roster columns such as a hire date hold dates; durations are
        // not among the columns read.
        Data::DateTime(dt) => date_text(dt.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// An Excel date serial as `YYYY-MM-DD` (days from 1899-12-30); a serial
/// past the calendar's end reads as the number it is.
fn date_text(serial: f64) -> String {
    let epoch = jiff::civil::date(1899, 12, 30);
    let days = serial.floor();
    let date = (days.abs() < 4_000_000.0)
        .then(|| epoch.checked_add(jiff::Span::new().days(days as i64)).ok())
        .flatten();
    match date {
        Some(date) => date.strftime("%Y-%m-%d").to_string(),
        None => number_text(serial),
    }
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column.
pub fn column_letters(mut column: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Number formats of an xlsx sheet's cells, which calamine does not expose:
/// a format such as `00000000` tells how many leading zeros an ID had.
mod xlsx_formats {
    use quick_xml::events::Event;
    use quick_xml::Reader;
    use std::collections::HashMap;
    use std::io::{Cursor, Read};

    type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

    fn entry(zip: &mut Zip<'_>, path: &str) -> Option<String> {
        let mut file = zip.by_name(path).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        Some(text)
    }

    fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| {
                let raw = String::from_utf8_lossy(&a.value);
                match quick_xml::escape::unescape(&raw) {
                    Ok(text) => text.into_owned(),
                    Err(_) => raw.into_owned(),
                }
            })
    }

    /// Calls `f` with every start or empty element of an XML document.
    fn each(xml: &str, mut f: impl FnMut(&quick_xml::events::BytesStart<'_>, bool)) {
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => f(&e, false),
                Ok(Event::Empty(e)) => f(&e, true),
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
    }

    /// `(row, column)` (0-based) to the format code of cells with a custom one.
    pub fn read(bytes: &[u8], sheet: &str) -> Option<HashMap<(u32, u32), String>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let mut rid = None;
        each(&entry(&mut zip, "xl/workbook.xml")?, |e, _| {
            if e.local_name().as_ref() == b"sheet" && attr(e, b"name").as_deref() == Some(sheet) {
                rid = attr(e, b"r:id");
            }
        });
        let rid = rid?;
        let mut target = None;
        each(&entry(&mut zip, "xl/_rels/workbook.xml.rels")?, |e, _| {
            if attr(e, b"Id").as_deref() == Some(rid.as_str()) {
                target = attr(e, b"Target");
            }
        });
        let target = target?;
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{target}"),
        };
        let mut codes: HashMap<u32, String> = HashMap::new();
        let mut xf_formats: Vec<u32> = Vec::new();
        let mut in_cell_xfs = false;
        let styles = entry(&mut zip, "xl/styles.xml").unwrap_or_default();
        let mut reader = Reader::from_str(&styles);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                    b"numFmt" => {
                        if let (Some(id), Some(code)) =
                            (attr(&e, b"numFmtId"), attr(&e, b"formatCode"))
                        {
                            codes.insert(id.parse().ok()?, code);
                        }
                    }
                    b"cellXfs" => in_cell_xfs = true,
                    b"xf" if in_cell_xfs => xf_formats.push(
                        attr(&e, b"numFmtId")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    ),
                    _ => {}
                },
                Ok(Event::End(e)) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
        let mut out = HashMap::new();
        each(&entry(&mut zip, &path)?, |e, _| {
            if e.local_name().as_ref() != b"c" {
                return;
            }
            let (Some(r), Some(s)) = (attr(e, b"r"), attr(e, b"s")) else {
                return;
            };
            let Some(code) = s
                .parse::<usize>()
                .ok()
                .and_then(|s| xf_formats.get(s))
                .and_then(|id| codes.get(id))
            else {
                return;
            };
            if let Some(position) = cell_position(&r) {
                out.insert(position, code.clone());
            }
        });
        Some(out)
    }

    /// `D17` to `(16, 3)`.
    fn cell_position(r: &str) -> Option<(u32, u32)> {
        let split = r.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = r.split_at(split);
        let mut column = 0u32;
        for b in letters.bytes() {
            column = column * 26 + u32::from(b.to_ascii_uppercase().checked_sub(b'A')?) + 1;
        }
        Some((
            digits.parse::<u32>().ok()?.checked_sub(1)?,
            column.checked_sub(1)?,
        ))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn reads_cell_references() {
            assert_eq!(super::cell_position("A1"), Some((0, 0)));
            assert_eq!(super::cell_position("D17"), Some((16, 3)));
            assert_eq!(super::cell_position("AA3"), Some((2, 26)));
            assert_eq!(super::cell_position("17"), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn numbers_show_as_excel_shows_them() {
        assert_eq!(number_text(14255550100.0), "14255550100");
        assert_eq!(number_text(12.5), "12.5");
        assert_eq!(date_text(45292.0), "2024-01-01");
        assert_eq!(date_text(25569.0), "1970-01-01");
    }

    #[test]
    fn a_date_cell_reads_as_the_date_a_person_saw() {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "UserPrincipalName").unwrap();
        sheet.write_string(0, 1, "HireDate").unwrap();
        sheet.write_string(1, 0, "ann@contoso.example").unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_number_with_format(1, 1, 45292.0, &date)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = read("roster.xlsx", &bytes, None, &[]).unwrap();
        assert_eq!(read.headers, ["UserPrincipalName", "HireDate"]);
        assert_eq!(read.rows[0].cells, ["ann@contoso.example", "2024-01-01"]);
    }
}
