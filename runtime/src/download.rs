//! File downloads (`文件流` responses such as `GET /v3/billdownload/file`).
//!
//! WeChat Pay does not sign a download: its integrity is the digest that the API
//! which issued the link returned with it (`hash_type` and `hash_value` of a
//! bill apply), computed over the bill itself, so over the decompressed bytes
//! when the bill was asked for as `GZIP` (原始账单（gzip需要解压缩）的摘要值). A
//! [`Download`] is read as it arrives, never buffered whole: memory stays the
//! same for a file of any size, and [`Download::save`] only puts a file at its
//! path once its digest matched.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha1::Digest as _;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A hash algorithm a digest of a download may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// `SHA1`, what bill applies return.
    Sha1,
    /// `SHA256`.
    Sha256,
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
        })
    }
}

/// The digest a download must have, from the API that issued its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    algorithm: HashAlgorithm,
    /// Lower-case hex.
    value: String,
}

impl FileDigest {
    /// From an API's `hash_type` (`SHA1`, `SHA256`) and hex `hash_value`.
    pub fn new(hash_type: &str, hash_value: &str) -> Result<Self, DownloadError> {
        let algorithm = match hash_type.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => HashAlgorithm::Sha1,
            "SHA256" => HashAlgorithm::Sha256,
            _ => return Err(DownloadError::UnsupportedHash(hash_type.to_owned())),
        };
        let value = hash_value.trim().to_ascii_lowercase();
        let length = match algorithm {
            HashAlgorithm::Sha1 => 40,
            HashAlgorithm::Sha256 => 64,
        };
        if value.len() != length || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DownloadError::MalformedDigest {
                algorithm,
                value: hash_value.to_owned(),
            });
        }
        Ok(FileDigest { algorithm, value })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The expected value, lower-case hex.
    pub fn value(&self) -> &str {
        &self.value
    }

    fn hasher(&self) -> Hasher {
        match self.algorithm {
            HashAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            HashAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
        }
    }
}

enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
        }
    }

    fn hex(self) -> String {
        match self {
            Hasher::Sha1(h) => base16ct::lower::encode_string(&h.finalize()),
            Hasher::Sha256(h) => base16ct::lower::encode_string(&h.finalize()),
        }
    }
}

/// Why a download was refused, cut short or could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The connection failed while the file was being read: ask for the
    /// link again and download anew ([`Self::is_retryable`]).
    #[error("the download was cut short: {0}")]
    Interrupted(#[source] reqwest::Error),
    /// The file is not the one the API described: cut short, altered, or another file.
    #[error("the downloaded file's {algorithm} is {actual}, the API said {expected}")]
    DigestMismatch {
        /// The algorithm.
        algorithm: HashAlgorithm,
        /// What the API said.
        expected: String,
        /// What the bytes hash to.
        actual: String,
    },
    /// A `hash_type` this runtime cannot check.
    #[error("unsupported hash type {0:?} (SHA1 and SHA256 are checked)")]
    UnsupportedHash(String),
    /// A `hash_value` that is not a hex digest of its algorithm.
    #[error("{algorithm} digest {value:?} is not hex of the right length")]
    MalformedDigest {
        /// The algorithm.
        algorithm: HashAlgorithm,
        /// The value received.
        value: String,
    },
    /// The file was to be decompressed but is not valid gzip.
    #[error("the download is not valid gzip: {0}")]
    Gzip(#[source] std::io::Error),
    /// Writing the file failed.
    #[error("writing {}: {source}", .path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "the download".into()))]
    Write {
        /// The file, when writing to one.
        path: Option<PathBuf>,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

impl DownloadError {
    /// Whether downloading again may succeed: only when the connection, not
    /// the file or the disk, failed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, DownloadError::Interrupted(_))
    }
}

/// A file being downloaded. Read it with [`Download::save`] or
/// [`Download::write_to`], which check its digest, or chunk by chunk with
/// [`Download::chunk`], which does not.
pub struct Download {
    response: reqwest::Response,
    gzip: bool,
    request_id: Option<String>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("status", &self.response.status())
            .field("content_length", &self.response.content_length())
            .field("gzip", &self.gzip)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl Download {
    pub(crate) fn new(response: reqwest::Response, gzip: bool) -> Self {
        let request_id = crate::verify::headers::request_id(response.headers()).map(str::to_owned);
        Download {
            response,
            gzip,
            request_id,
        }
    }

    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The length the server announced, in bytes as sent (compressed if gzip).
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// Whether the bytes as sent are gzip (the link asked for `tartype=GZIP`),
    /// so that [`Self::save`] and [`Self::write_to`] decompress them.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The next chunk as sent (compressed if gzip), unchecked; `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, DownloadError> {
        self.response
            .chunk()
            .await
            .map_err(DownloadError::Interrupted)
    }

    /// Writes the file to `writer`, decompressed if it was sent as gzip, and
    /// checks `digest` over what was written. Returns the bytes written. On a
    /// mismatch the writer has received bytes that must not be used.
    pub async fn write_to<W: AsyncWrite + Unpin>(
        mut self,
        writer: &mut W,
        digest: &FileDigest,
    ) -> Result<u64, DownloadError> {
        let write_error = |source| DownloadError::Write { path: None, source };
        let mut hasher = digest.hasher();
        let mut written = 0u64;
        let mut gunzip = self.gzip.then(|| flate2::write::GzDecoder::new(Vec::new()));
        while let Some(chunk) = self.chunk().await? {
            let plain: &[u8] = match &mut gunzip {
                Some(decoder) => {
                    decoder.write_all(&chunk).map_err(DownloadError::Gzip)?;
                    decoder.get_ref()
                }
                None => &chunk,
            };
            hasher.update(plain);
            writer.write_all(plain).await.map_err(write_error)?;
            written += plain.len() as u64;
            if let Some(decoder) = &mut gunzip {
                decoder.get_mut().clear();
            }
        }
        if let Some(decoder) = gunzip {
            // The end of the stream: a truncated gzip member fails here.
            let rest = decoder.finish().map_err(DownloadError::Gzip)?;
            hasher.update(&rest);
            writer.write_all(&rest).await.map_err(write_error)?;
            written += rest.len() as u64;
        }
        writer.flush().await.map_err(write_error)?;
        let actual = hasher.hex();
        if actual != digest.value {
            return Err(DownloadError::DigestMismatch {
                algorithm: digest.algorithm,
                expected: digest.value.clone(),
                actual,
            });
        }
        Ok(written)
    }

    /// Saves the file at `path`: written to a temporary file beside it and
    /// renamed into place only once `digest` matched, so `path` never holds a
    /// partial or altered file. Returns the bytes written.
    pub async fn save(
        self,
        path: impl AsRef<Path>,
        digest: &FileDigest,
    ) -> Result<u64, DownloadError> {
        let path = path.as_ref();
        let partial = partial_path(path);
        let io_error = |source| DownloadError::Write {
            path: Some(path.to_owned()),
            source,
        };
        let file = tokio::fs::File::create(&partial).await.map_err(io_error)?;
        // Each write to a tokio file is a trip to the blocking pool: fewer,
        // larger writes (the memory stays a constant 1 MiB).
        let mut file = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let outcome = self.write_to(&mut file, digest).await;
        let outcome = match outcome {
            Ok(written) => file
                .get_mut()
                .sync_all()
                .await
                .map(|()| written)
                .map_err(io_error),
            Err(error) => Err(error),
        };
        drop(file);
        match outcome {
            Ok(written) => {
                tokio::fs::rename(&partial, path).await.map_err(io_error)?;
                Ok(written)
            }
            Err(error) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(error)
            }
        }
    }
}

/// `bill.csv` → `bill.csv.partial`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Whether a download link asks for gzip (`tartype=GZIP`).
pub(crate) fn asks_for_gzip(url: &reqwest::Url) -> bool {
    url.query_pairs().any(|(name, value)| {
        matches!(&*name, "tartype" | "tar_type") && value.eq_ignore_ascii_case("gzip")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_checked_for_shape() {
        let sha1 =
            FileDigest::new("SHA1", "79BF8B6A5E4B5D9A3C63D3A2B0E3C5F1B8C0A6D2").expect("sha1");
        assert_eq!(sha1.value(), "79bf8b6a5e4b5d9a3c63d3a2b0e3c5f1b8c0a6d2");
        assert!(matches!(
            FileDigest::new("SM3", "00"),
            Err(DownloadError::UnsupportedHash(_))
        ));
        assert!(matches!(
            FileDigest::new("SHA1", "xyz"),
            Err(DownloadError::MalformedDigest { .. })
        ));
    }

    #[test]
    fn gzip_is_asked_for_by_the_query() {
        let url = |text| reqwest::Url::parse(text).expect("url");
        assert!(asks_for_gzip(&url(
            "https://h/v3/billdownload/file?token=t&tartype=gzip"
        )));
        assert!(!asks_for_gzip(&url(
            "https://h/v3/billdownload/file?token=t"
        )));
        assert_eq!(
            partial_path(Path::new("/tmp/bill.csv")),
            Path::new("/tmp/bill.csv.partial")
        );
    }
}
