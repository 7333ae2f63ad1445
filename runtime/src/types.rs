//! Value types generated code uses for shapes plain Rust types cannot express.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::config::{ConfigError, Setting};
use crate::error::Error;
use crate::sensitive::{Seal, Sealer, SensitiveError};

use crate::validate::{Validate, ValidationError};

/// A string field whose content is JSON (`data-encoded` in the docs): on the wire a
/// string such as `"{\"sha256\":\"...\"}"`, in Rust the decoded value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonString<T>(pub T);

impl<T> JsonString<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        JsonString(value)
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for JsonString<T> {
    fn from(value: T) -> Self {
        JsonString(value)
    }
}

impl<T: Serialize> JsonString<T> {
    /// The JSON text the string holds.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.0)
    }
}

/// The JSON text, for logs. Generated code uses [`JsonString::to_json`], which
/// reports a value that does not serialize (an unsealed `Sensitive`) where
/// `to_string()` would panic.
impl<T: Serialize> std::fmt::Display for JsonString<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(&self.0).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

impl<T: Serialize> Serialize for JsonString<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonString<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        serde_json::from_str(&text)
            .map(JsonString)
            .map_err(|e| serde::de::Error::custom(format!("JSON-encoded string: {e}")))
    }
}

/// The JSON inside is sealed like any other part of a request.
impl<T: Seal> Seal for JsonString<T> {
    fn seal(&mut self, sealer: &Sealer) -> Result<(), SensitiveError> {
        self.0.seal(sealer)
    }
}

impl<T: Validate> Validate for JsonString<T> {
    fn validate_into(&self, pointer: &str, errors: &mut Vec<ValidationError>) {
        self.0.validate_into(pointer, errors);
    }
}

/// The file part of a `multipart/form-data` upload (`merchant/media/upload`
/// and others): its name, media type and SHA-256 (what the `meta` part must
/// carry), and where its bytes come from. A file on disk is streamed from the
/// disk on every attempt, never held in memory.
#[derive(Clone, PartialEq)]
pub struct FilePart {
    name: String,
    content_type: String,
    sha256: String,
    len: u64,
    source: FileSource,
}

#[derive(Clone, PartialEq)]
enum FileSource {
    Bytes(Bytes),
    Path(PathBuf),
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            FileSource::Bytes(_) => "memory".to_owned(),
            FileSource::Path(path) => path.display().to_string(),
        };
        f.debug_struct("FilePart")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("len", &self.len)
            .field("sha256", &self.sha256)
            .field("source", &source)
            .finish()
    }
}

impl FilePart {
    /// A part from bytes in memory.
    pub fn from_bytes(
        name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        let bytes = bytes.into();
        FilePart {
            name: name.into(),
            content_type: content_type.into(),
            sha256: base16ct::lower::encode_string(&sha2::Sha256::digest(&bytes)),
            len: bytes.len() as u64,
            source: FileSource::Bytes(bytes),
        }
    }

    /// A part from a file: its name is the file's, its media type guessed from
    /// the extension (`.jpg`, `.png`, `.bmp`, `.pdf`, `.mp4`...). The file is
    /// read once now for its SHA-256, and streamed again when sent.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let io_error = |e: std::io::Error| {
            let file = Some(path.to_owned());
            ConfigError::new(Setting::UploadFile { file }, e)
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io_error)?;
        let mut hasher = sha2::Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut len = 0u64;
        loop {
            let read = file.read(&mut buffer).await.map_err(io_error)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            len += read as u64;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(FilePart {
            content_type: media_type(&name).to_owned(),
            name,
            sha256: base16ct::lower::encode_string(&hasher.finalize()),
            len,
            source: FileSource::Path(path.to_owned()),
        })
    }

    /// A part read from `reader` to its end. The docs' uploads are a few
    /// megabytes at most, and the SHA-256 must be known before anything is
    /// sent, so the bytes are kept in memory; use [`Self::from_path`] for a file.
    pub async fn from_reader(
        name: impl Into<String>,
        content_type: impl Into<String>,
        mut reader: impl AsyncRead + Unpin,
    ) -> Result<Self, Error> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| ConfigError::new(Setting::UploadFile { file: None }, e))?;
        Ok(Self::from_bytes(name, content_type, bytes))
    }

    /// Another file name to send.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Another media type to send.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }

    /// The file name sent with the part.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The media type, e.g. `image/jpeg`.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The lower-case hex SHA-256 of the bytes: what `meta` carries as `sha256`.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The part as reqwest sends it, opened anew for each attempt.
    pub(crate) async fn to_part(&self) -> Result<reqwest::multipart::Part, Error> {
        let part = match &self.source {
            FileSource::Bytes(bytes) => reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(bytes.clone()),
                self.len,
            ),
            FileSource::Path(path) => {
                let file = tokio::fs::File::open(path).await.map_err(|e| {
                    let file = Some(path.clone());
                    ConfigError::new(Setting::UploadFile { file }, e)
                })?;
                let stream = tokio_util::io::ReaderStream::new(file);
                reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::wrap_stream(stream),
                    self.len,
                )
            }
        };
        part.file_name(self.name.clone())
            .mime_str(&self.content_type)
            .map_err(|e| {
                let problem = format!("media type {:?}: {e}", self.content_type);
                ConfigError::new(Setting::UploadFile { file: None }, problem).into()
            })
    }
}

/// The media type of a file name's extension (the kinds the upload APIs take).
fn media_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "bmp" => "image/bmp",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "avi" => "video/x-msvideo",
        "csv" => "text/csv",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Meta {
        sha256: String,
    }

    #[tokio::test]
    async fn file_parts_know_their_digest_wherever_they_come_from() {
        // SHA-256 of "abc" (FIPS 180-2).
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let part = FilePart::from_bytes("a.png", "image/png", &b"abc"[..]);
        assert_eq!((part.sha256(), part.len()), (abc, 3));
        let read = FilePart::from_reader("a.png", "image/png", &b"abc"[..])
            .await
            .expect("read");
        assert_eq!(read.sha256(), abc);
        let dir = std::env::temp_dir().join(format!("filepart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("photo.JPG");
        std::fs::write(&path, b"abc").expect("write");
        let from_disk = FilePart::from_path(&path).await.expect("file");
        assert_eq!(
            (
                from_disk.name(),
                from_disk.content_type(),
                from_disk.sha256()
            ),
            ("photo.JPG", "image/jpeg", abc)
        );
        std::fs::remove_dir_all(&dir).ok();
        assert!(FilePart::from_path(dir.join("missing.png")).await.is_err());
    }

    #[test]
    fn json_strings_display_as_their_json_text() {
        let value = JsonString(serde_json::json!({"type": "x", "n": 1}));
        assert_eq!(value.to_string(), r#"{"type":"x","n":1}"#);
    }

    #[test]
    fn json_strings_round_trip() {
        let value = JsonString(Meta {
            sha256: "ab".into(),
        });
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(text, r#""{\"sha256\":\"ab\"}""#);
        assert_eq!(
            serde_json::from_str::<JsonString<Meta>>(&text).unwrap(),
            value
        );
        assert!(serde_json::from_str::<JsonString<Meta>>(r#""nope""#).is_err());
    }
}
