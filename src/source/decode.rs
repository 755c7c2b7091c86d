//! Bytes to text: BOMs, UTF-16, and Windows-1252 for files that are not
//! valid UTF-8 (Excel's "CSV" in European locales).

use super::text::{Mapped, Text};
use encoding_rs::{UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

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
}

/// Decoded text, and whether some bytes could not be decoded (they became
/// U+FFFD, and the lines holding them are reported).
#[derive(Debug)]
pub struct Decoded {
    pub text: Text,
    pub encoding: Encoding,
    pub had_errors: bool,
}

/// Decodes a whole file.
///
/// ```
/// use acp_recon::source::decode::{decode, Encoding};
/// let d = decode(b"Caf\xe9".to_vec());
/// assert_eq!((d.text.as_str(), d.encoding), ("Café", Encoding::Windows1252));
/// ```
pub fn decode(bytes: Vec<u8>) -> Decoded {
    match sniff(&bytes) {
        (Encoding::Utf8, _) => match String::from_utf8(bytes) {
            Ok(text) => Decoded {
                text: text.into(),
                encoding: Encoding::Utf8,
                had_errors: false,
            },
            Err(e) => decode_copy(e.as_bytes()),
        },
        _ => decode_copy(&bytes),
    }
}

/// A mapped file as its own text, when it is UTF-8; else the map back, to
/// decode a copy of ([`decode_copy`]).
pub fn utf8_in_place(mapped: Mapped) -> Result<Decoded, Mapped> {
    match sniff(mapped.bytes()) {
        (encoding @ (Encoding::Utf8 | Encoding::Utf8Bom), start) => {
            mapped.into_text(start).map(|text| Decoded {
                text,
                encoding,
                had_errors: false,
            })
        }
        _ => Err(mapped),
    }
}

/// What the first bytes tell, and where the text starts: a BOM, or UTF-16
/// without one by its NULs beside ASCII header letters. `Utf8` stands for
/// "UTF-8 if valid, else Windows-1252".
fn sniff(bytes: &[u8]) -> (Encoding, usize) {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8Bom, 3),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => (Encoding::Utf16Le, 0),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => (Encoding::Utf16Be, 0),
        _ => (Encoding::Utf8, 0),
    }
}

/// Decodes into a new string, whatever the encoding.
pub fn decode_copy(bytes: &[u8]) -> Decoded {
    let (encoding, start) = sniff(bytes);
    let body = &bytes[start..];
    let codec = match encoding {
        Encoding::Utf8Bom => UTF_8,
        Encoding::Utf16Le => UTF_16LE,
        Encoding::Utf16Be => UTF_16BE,
        _ => match std::str::from_utf8(body) {
            Ok(text) => {
                return Decoded {
                    text: text.to_owned().into(),
                    encoding: Encoding::Utf8,
                    had_errors: false,
                }
            }
            Err(_) => {
                return decode_with(Encoding::Windows1252, WINDOWS_1252, body);
            }
        },
    };
    decode_with(encoding, codec, body)
}

/// Decodes `body` with `codec`, flagging bytes it could not decode.
fn decode_with(encoding: Encoding, codec: &'static encoding_rs::Encoding, body: &[u8]) -> Decoded {
    let (text, had_errors) = codec.decode_without_bom_handling(body);
    Decoded {
        text: text.into_owned().into(),
        encoding,
        had_errors,
    }
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
    fn reads_every_encoding_vendors_send() {
        let text = "UPN\tNom\nélise@x\tÉlise O’Neil\n";
        let cases = [
            (text.as_bytes().to_vec(), Encoding::Utf8),
            (
                [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                Encoding::Utf8Bom,
            ),
            (utf16(text, true, true), Encoding::Utf16Le),
            (utf16(text, false, true), Encoding::Utf16Be),
            (utf16(text, true, false), Encoding::Utf16Le),
            (
                WINDOWS_1252.encode(text).0.into_owned(),
                Encoding::Windows1252,
            ),
        ];
        for (bytes, encoding) in cases {
            // Read from a map too: UTF-8 is used in place, the rest copied.
            let mut file = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut file, &bytes).unwrap();
            let mapped = utf8_in_place(Mapped::open(file.as_file()).unwrap())
                .unwrap_or_else(|mapped| decode_copy(mapped.bytes()));
            let utf8 = matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom);
            assert_eq!(mapped.text.is_mapped(), utf8, "{encoding:?}");
            for d in [decode(bytes), mapped] {
                assert_eq!(
                    (d.text.as_str(), d.encoding, d.had_errors),
                    (text, encoding, false)
                );
            }
        }
    }

    #[test]
    fn curly_apostrophe_from_windows_1252_decodes_right() {
        assert_eq!(decode(b"O\x92Neil".to_vec()).text, "O\u{2019}Neil");
    }

    #[test]
    fn undecodable_utf16_is_flagged_not_fatal() {
        let d = decode(vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0]);
        assert!(d.had_errors);
        assert!(d.text.contains('\u{fffd}'));
    }
}
