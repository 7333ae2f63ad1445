//! `POST /v3/merchant/media/upload`: the sandbox's multipart upload. The
//! signature covers the `meta` JSON (checked before this runs); here `meta`
//! must name the file and carry its SHA-256, and the file must be what the
//! docs accept: a JPG, BMP or PNG image of at most 5M, or a PDF of at most 7.5M.
//! The name is `meta`'s `filename`: the docs ask nothing of the file part's own
//! `Content-Disposition` file name, so a part without one is not refused.

use std::collections::HashMap;

use bytes::Bytes;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::store::Reply;

/// The largest image the docs accept (5M).
pub const MAX_IMAGE: usize = 5 * 1024 * 1024;

/// The largest PDF the docs accept (7.5M).
pub const MAX_PDF: usize = MAX_IMAGE / 2 * 3;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub(crate) struct FormPart {
    pub(crate) name: String,
    pub(crate) bytes: Bytes,
}

/// A parsed `multipart/form-data` body, handed from the request checks (which
/// need `meta` for the signature) to the route.
#[derive(Debug, Clone)]
pub(crate) struct Form(pub(crate) Vec<FormPart>);

impl Form {
    /// Parses `body` as the `multipart/form-data` `content_type` announces.
    pub(crate) async fn parse(content_type: &str, body: Bytes) -> Result<Form, String> {
        let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            parts.push(FormPart { name, bytes });
        }
        Ok(Form(parts))
    }

    /// The part called `name`.
    pub(crate) fn part(&self, name: &str) -> Option<&FormPart> {
        self.0.iter().find(|part| part.name == name)
    }
}

/// An uploaded file as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// The name `meta` gave.
    pub filename: String,
    /// The file's length.
    pub len: usize,
    /// The file's SHA-256, computed by the sandbox (lower-case hex).
    pub sha256: String,
}

/// Uploaded files by `media_id`.
#[derive(Debug, Default)]
pub(crate) struct MediaStore {
    by_id: HashMap<String, Media>,
}

impl MediaStore {
    pub(crate) fn get(&self, media_id: &str) -> Option<Media> {
        self.by_id.get(media_id).cloned()
    }

    pub(crate) fn upload(&mut self, form: Option<&Form>) -> Reply {
        let Some(form) = form else {
            return Reply::error(400, "PARAM_ERROR", "请求体不是multipart/form-data");
        };
        let (Some(meta), Some(file)) = (form.part("meta"), form.part("file")) else {
            return Reply::error(400, "PARAM_ERROR", "缺少meta或file");
        };
        let Ok(meta) = serde_json::from_slice::<Value>(&meta.bytes) else {
            return Reply::error(400, "PARAM_ERROR", "meta不是JSON");
        };
        let (Some(filename), Some(claimed)) = (
            meta.get("filename").and_then(Value::as_str),
            meta.get("sha256").and_then(Value::as_str),
        ) else {
            return Reply::error(400, "PARAM_ERROR", "meta缺少filename或sha256");
        };
        let extension = filename
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_lowercase())
            .unwrap_or_default();
        let limit = match extension.as_str() {
            "jpg" | "jpeg" | "bmp" | "png" => MAX_IMAGE,
            "pdf" => MAX_PDF,
            _ => return Reply::error(400, "PARAM_ERROR", "文件格式只支持JPG、BMP、PNG、PDF"),
        };
        if file.bytes.len() > limit {
            return Reply::error(
                400,
                "PARAM_ERROR",
                "图片大小不能超过5M，PDF文件大小不能超过7.5M",
            );
        }
        let actual = base16ct::lower::encode_string(&Sha256::digest(&file.bytes));
        if !actual.eq_ignore_ascii_case(claimed) {
            return Reply::error(400, "PARAM_ERROR", "文件sha256与meta中的sha256不一致");
        }
        let media_id = format!("sandbox-media-{}", &actual[..32]);
        self.by_id.insert(
            media_id.clone(),
            Media {
                filename: filename.to_owned(),
                len: file.bytes.len(),
                sha256: actual,
            },
        );
        Reply {
            status: 200,
            body: json!({ "media_id": media_id }),
        }
    }
}
