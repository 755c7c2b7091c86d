//! Bytes to text: BOMs, UTF-16, and Windows-1252 for files that are not
//! valid UTF-8 (Excel's "CSV" in European locales).

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
    /// Not text: a workbook of this kind (`xlsx`, `xls`, `ods`, `xlsb`).
    Spreadsheet(&'static str),
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Spreadsheet(kind) => kind,
        }
    }

    /// Read straight from the file's bytes (after a BOM), not decoded into a copy.
    pub fn is_utf8(self) -> bool {
        matches!(self, Encoding::Utf8 | Encoding::Utf8Bom)
    }
}

/// What the first bytes tell, and how many of them are a BOM: UTF-16 is
/// told by its BOM or by NULs beside ASCII header letters. `Utf8` stands
/// for "UTF-8 if valid, else Windows-1252".
pub fn sniff(bytes: &[u8]) -> (Encoding, usize) {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8Bom, 3),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => (Encoding::Utf16Le, 0),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => (Encoding::Utf16Be, 0),
        _ => (Encoding::Utf8, 0),
    }
}

/// Decodes a whole file that is not read as UTF-8 in place: UTF-16, or
/// Windows-1252. Returns the text and whether some bytes could not be
/// decoded (they became U+FFFD, and the rows holding them are reported).
///
/// ```
/// use acp_recon::source::decode::{decode, Encoding};
/// assert_eq!(decode(b"Caf\xe9", Encoding::Windows1252), ("Café".to_string(), false));
/// ```
pub fn decode(body: &[u8], encoding: Encoding) -> (String, bool) {
    let codec = match encoding {
        Encoding::Utf16Le => UTF_16LE,
        Encoding::Utf16Be => UTF_16BE,
        _ => WINDOWS_1252,
    };
    let (text, had_errors) = codec.decode_without_bom_handling(body);
    (text.into_owned(), had_errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in s.encode_utf16() {
            out.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn tells_every_encoding_vendors_send() {
        let text = "UPN\tNom\nélise@x\tÉlise O’Neil\n";
        let cases = [
            (utf16(text, true, true), Encoding::Utf16Le, 2),
            (utf16(text, false, true), Encoding::Utf16Be, 2),
            (utf16(text, true, false), Encoding::Utf16Le, 0),
            (utf16(text, false, false), Encoding::Utf16Be, 0),
        ];
        for (bytes, encoding, bom) in cases {
            assert_eq!(sniff(&bytes), (encoding, bom));
            assert_eq!(decode(&bytes[bom..], encoding), (text.to_string(), false));
        }
        assert_eq!(sniff(b"\xEF\xBB\xBFUPN"), (Encoding::Utf8Bom, 3));
        assert_eq!(sniff(b"UPN,x"), (Encoding::Utf8, 0));
        let latin = WINDOWS_1252.encode(text).0.into_owned();
        assert_eq!(
            decode(&latin, Encoding::Windows1252),
            (text.to_string(), false)
        );
    }

    #[test]
    fn curly_apostrophe_from_windows_1252_decodes_right() {
        assert_eq!(
            decode(b"O\x92Neil", Encoding::Windows1252).0,
            "O\u{2019}Neil"
        );
    }

    #[test]
    fn undecodable_utf16_is_flagged_not_fatal() {
        let (text, errors) = decode(&[b'a', 0, 0x00, 0xD8, b'b', 0], Encoding::Utf16Le);
        assert!(errors);
        assert!(text.contains('\u{fffd}'));
    }
}
