//! Reading a merchant's file of codes: one code a line, as real exports come
//! (Excel's UTF-8 with a BOM, GBK, UTF-16, CRLF), with every line that cannot be
//! a code reported by number and reason instead of being sent, cut or dropped.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use clap::ValueEnum;
use encoding_rs_io::DecodeReaderBytesBuilder;
use sha2::{Digest, Sha256};
use wechatpay_bindings::couponcodes::check_code;

/// The text encoding of an input file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// UTF-8, or UTF-16 when the file starts with its byte order mark.
    #[default]
    Auto,
    /// UTF-8 (a leading byte order mark is skipped).
    Utf8,
    /// GBK, as Excel saves "CSV" on Chinese Windows.
    Gbk,
    /// GB 18030.
    Gb18030,
    /// UTF-16 little-endian ("Unicode text" from Excel).
    Utf16le,
    /// UTF-16 big-endian.
    Utf16be,
}

impl Encoding {
    fn encoding_rs(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Auto | Encoding::Utf8 => None,
            Encoding::Gbk => Some(encoding_rs::GBK),
            Encoding::Gb18030 => Some(encoding_rs::GB18030),
            Encoding::Utf16le => Some(encoding_rs::UTF_16LE),
            Encoding::Utf16be => Some(encoding_rs::UTF_16BE),
        }
    }
}

/// How a file's lines become codes, as command-line options.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct InputOptions {
    /// The file's text encoding.
    #[arg(long, value_enum, default_value_t = Encoding::Auto)]
    pub encoding: Encoding,
    /// Remove leading and trailing white space from each line, and skip lines
    /// that are blank (otherwise such lines are reported as invalid).
    #[arg(long)]
    pub trim: bool,
}

/// The documented maximum length of a code (`check_code` enforces it too; this
/// is only to say it without quoting a huge line back).
const MAX_CODE_CHARS: usize = 32;

/// Characters of a code shown in messages; longer ones are cut.
const SHOWN_CHARS: usize = 40;

/// A code as messages show it: quoted, cut after [`SHOWN_CHARS`] characters.
pub fn shown(text: &str) -> String {
    let count = text.chars().count();
    if count <= SHOWN_CHARS {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{head:?}... ({count} characters)")
    }
}

/// Turns one line (without its line ending) into a code, or says why it is none.
pub fn check_line(line: &str, options: &InputOptions) -> Result<String, String> {
    let code = if options.trim { line.trim() } else { line };
    if code.is_empty() {
        return Err(if line.is_empty() {
            "empty line".to_owned()
        } else {
            "only white space".to_owned()
        });
    }
    if code.trim().is_empty() {
        return Err(format!("{} is only white space", shown(code)));
    }
    if code.contains('\0') {
        return Err(
            "has NUL bytes: the file looks like UTF-16; pass --encoding utf16le (or utf16be)"
                .to_owned(),
        );
    }
    if code.trim() != code {
        return Err(format!(
            "{} has leading or trailing white space; remove it, or pass --trim",
            shown(code)
        ));
    }
    let length = code.chars().count();
    if length > MAX_CODE_CHARS {
        return Err(format!(
            "{} is {length} characters long; a code has at most {MAX_CODE_CHARS}",
            shown(code)
        ));
    }
    if let Err(reason) = check_code(code) {
        // The documented limits live in `check_code`; a character that fails alone is the culprit.
        if let Some(bad) = code.chars().find(|c| check_code(&c.to_string()).is_err()) {
            return Err(format!(
                "{} has the character {bad:?}; codes may only use 0-9 a-z A-Z, space and - _ \\ / = |",
                shown(code)
            ));
        }
        let reason: String = reason.chars().take(200).collect();
        return Err(format!("{} {reason}", shown(code)));
    }
    Ok(code.to_owned())
}

/// The lines of a file, numbered from 1, each a code or the reason it is not one.
pub struct Lines {
    reader: Box<dyn BufRead + Send>,
    options: InputOptions,
    number: u64,
    buffer: Vec<u8>,
    /// Blank lines skipped under `--trim`.
    blank: u64,
    /// Whether the last line read had no line ending.
    unterminated: bool,
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("options", &self.options)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl Lines {
    /// Reads `path` with `options`.
    pub fn open(path: &Path, options: InputOptions) -> Result<Lines, String> {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(Lines::new(file, options))
    }

    /// Reads any byte stream with `options`.
    pub fn new(reader: impl Read + Send + 'static, options: InputOptions) -> Lines {
        let decoded = DecodeReaderBytesBuilder::new()
            .encoding(options.encoding.encoding_rs())
            // A byte order mark says what the file is (and is not part of line 1),
            // except that one asked for UTF-8 stays UTF-8.
            .bom_sniffing(true)
            .strip_bom(true)
            .utf8_passthru(true)
            .build(reader);
        Lines {
            reader: Box::new(BufReader::with_capacity(1 << 16, decoded)),
            options,
            number: 0,
            buffer: Vec::new(),
            blank: 0,
            unterminated: false,
        }
    }
}

impl Iterator for Lines {
    /// Line number and the code, or why the line is not one. Blank lines
    /// are not yielded under `--trim` (they are counted in `blank`).
    type Item = std::io::Result<(u64, Result<String, String>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buffer.clear();
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.number += 1;
            self.unterminated = self.buffer.last() != Some(&b'\n');
            let blank = self.buffer.iter().all(|b| b.is_ascii_whitespace());
            if self.options.trim && blank {
                self.blank += 1;
                continue;
            }
            return Some(Ok(self.check()));
        }
    }
}

impl Lines {
    /// The line in the buffer, checked.
    fn check(&self) -> (u64, Result<String, String>) {
        let mut bytes = self.buffer.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let checked = match std::str::from_utf8(bytes) {
            // A named encoding decodes what it cannot read to U+FFFD.
            Ok(line) => match self.options.encoding.encoding_rs() {
                Some(encoding) if line.contains('\u{FFFD}') => Err(format!(
                    "has bytes that are not valid {} text",
                    encoding.name()
                )),
                _ => check_line(line, &self.options),
            },
            Err(e) => Err(format!(
                "is not UTF-8 (a byte that is not text at column {}); if the file is an Excel export, pass --encoding gbk (or utf16le)",
                e.valid_up_to() + 1
            )),
        };
        (self.number, checked)
    }
}

/// At most this many invalid lines are listed (all are counted).
pub const SHOWN_INVALID: usize = 20;

/// One line that is not a code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InvalidLine {
    /// Its number, from 1.
    pub line: u64,
    /// Why it is not a code.
    pub reason: String,
}

/// What a first pass over a file found.
#[derive(Debug)]
pub struct Scan {
    /// Lines in the file.
    pub lines: u64,
    /// Lines that are codes.
    pub valid: u64,
    /// Lines that are not codes.
    pub invalid_count: u64,
    /// Blank lines skipped (`--trim`).
    pub blank: u64,
    /// The last line, when it has no line ending (a producer that died
    /// mid-line writes such a line).
    pub unterminated: Option<u64>,
    /// The first [`SHOWN_INVALID`] of them.
    pub invalid: Vec<InvalidLine>,
    /// SHA-256 (hex) of the file's bytes.
    pub sha256: String,
}

/// Reads the whole file once: its digest, and every line checked.
pub fn scan(path: &Path, options: InputOptions) -> Result<Scan, String> {
    let mut file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    let sha256 = base16ct::lower::encode_string(&hasher.finalize());
    let mut scan = Scan {
        lines: 0,
        valid: 0,
        invalid_count: 0,
        blank: 0,
        unterminated: None,
        invalid: Vec::new(),
        sha256,
    };
    let mut lines = Lines::open(path, options)?;
    for line in lines.by_ref() {
        let (number, checked) = line.map_err(|e| format!("{}: {e}", path.display()))?;
        scan.lines = number;
        match checked {
            Ok(_) => scan.valid += 1,
            Err(reason) => {
                scan.invalid_count += 1;
                if scan.invalid.len() < SHOWN_INVALID {
                    scan.invalid.push(InvalidLine {
                        line: number,
                        reason,
                    });
                }
            }
        }
    }
    scan.lines = lines.number;
    scan.blank = lines.blank;
    scan.unterminated = (lines.unterminated && lines.number > 0).then_some(lines.number);
    Ok(scan)
}

/// Standard input copied to a temporary file, so that it can be checked in full
/// before anything is sent and read again to upload.
pub fn spool_stdin() -> Result<tempfile::NamedTempFile, String> {
    let mut spool = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot make a temporary file for standard input: {e}"))?;
    std::io::copy(&mut std::io::stdin().lock(), &mut spool)
        .map_err(|e| format!("reading standard input failed: {e}"))?;
    Ok(spool)
}

/// A copy of an input file as it is now, read by the scan and the upload
/// alike, so that a file still being written (a producer appending to it)
/// cannot make them disagree.
#[derive(Debug)]
pub struct Snapshot {
    copy: tempfile::NamedTempFile,
    taken: Option<(u64, std::time::SystemTime)>,
}

/// The length and modification time of `path`.
fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

impl Snapshot {
    /// Copies `path`; a file that changes while it is copied is copied again
    /// (twice), then refused.
    pub fn take(path: &Path) -> Result<Snapshot, String> {
        for _ in 0..3 {
            let before = stamp(path);
            let mut source = std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut copy = tempfile::NamedTempFile::new()
                .map_err(|e| format!("cannot make a temporary copy of {}: {e}", path.display()))?;
            std::io::copy(&mut source, &mut copy)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if stamp(path) == before {
                return Ok(Snapshot {
                    copy,
                    taken: before,
                });
            }
        }
        Err(format!(
            "{} keeps changing while it is read; upload it once it is complete",
            path.display()
        ))
    }

    /// The copy.
    pub fn path(&self) -> &Path {
        self.copy.path()
    }

    /// Whether `path` (the original) is no longer what was copied.
    pub fn changed_since(&self, path: &Path) -> bool {
        stamp(path) != self.taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], options: InputOptions) -> Vec<(u64, Result<String, String>)> {
        Lines::new(std::io::Cursor::new(bytes.to_vec()), options)
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_utf8_bom_is_not_part_of_the_first_code() {
        let lines = read(b"\xEF\xBB\xBFABC1\r\nABC2\r\n", InputOptions::default());
        assert_eq!(
            lines,
            [(1, Ok("ABC1".to_owned())), (2, Ok("ABC2".to_owned()))]
        );
    }

    #[test]
    fn utf16_with_a_bom_is_read_as_utf16() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "ABC1\r\nABC2\r\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let lines = read(&bytes, InputOptions::default());
        assert_eq!(
            lines,
            [(1, Ok("ABC1".to_owned())), (2, Ok("ABC2".to_owned()))]
        );
    }

    #[test]
    fn gbk_needs_to_be_named_and_then_reads() {
        // "券码" (a header Excel users write) in GBK, then two codes.
        let bytes = b"\xc8\xaf\xc2\xeb\r\nABC1\r\nABC2\r\n";
        let lines = read(bytes, InputOptions::default());
        let first = lines[0].1.as_ref().unwrap_err();
        assert!(first.contains("--encoding gbk"), "{first}");
        assert_eq!(lines[1], (2, Ok("ABC1".to_owned())));
        let lines = read(
            bytes,
            InputOptions {
                encoding: Encoding::Gbk,
                trim: false,
            },
        );
        let first = lines[0].1.as_ref().unwrap_err();
        assert!(first.contains("\"券码\" has the character '券'"), "{first}");
    }

    #[test]
    fn white_space_is_reported_unless_trimmed() {
        let options = InputOptions::default();
        assert_eq!(check_line("", &options).unwrap_err(), "empty line");
        assert!(
            check_line("   ", &options)
                .unwrap_err()
                .contains("white space")
        );
        assert!(check_line(" AB", &options).unwrap_err().contains("--trim"));
        assert!(check_line("AB ", &options).unwrap_err().contains("--trim"));
        assert_eq!(check_line("A B", &options).unwrap(), "A B");
        let trim = InputOptions {
            trim: true,
            ..options
        };
        assert_eq!(check_line("  AB\t", &trim).unwrap(), "AB");
        assert!(check_line("   ", &trim).is_err());
    }

    #[test]
    fn long_lines_are_cut_in_messages() {
        let long = "x".repeat(10_000_000);
        let reason = check_line(&long, &InputOptions::default()).unwrap_err();
        assert!(reason.len() < 200, "{}", reason.len());
        assert!(reason.contains("10000000 characters"), "{reason}");
    }
}
