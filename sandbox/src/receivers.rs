//! `POST /v3/profitsharing/receivers/add`: the sandbox's operation with a
//! sensitive field. `name` arrives RSA-OAEP encrypted with the WeChat Pay key
//! the request names in `Wechatpay-Serial`; the sandbox decrypts it with that
//! key's private half (refusing a request that names no key or a key that does
//! not open it), keeps the plaintext for tests to check, and answers with
//! `name` encrypted again, for the merchant's key, as WeChat Pay does.

use std::collections::BTreeMap;

use http::HeaderMap;
use serde_json::{Value, json};
use wechatpay_runtime::verify::headers as wx;
use wechatpay_runtime::{PrivateKey, sensitive};

use crate::keys::Keys;
use crate::store::Reply;

const TYPES: [&str; 3] = ["MERCHANT_ID", "PERSONAL_OPENID", "PERSONAL_SUB_OPENID"];
const RELATIONS: [&str; 11] = [
    "SERVICE_PROVIDER",
    "STORE",
    "STAFF",
    "STORE_OWNER",
    "PARTNER",
    "HEADQUARTER",
    "BRAND",
    "DISTRIBUTOR",
    "USER",
    "SUPPLIER",
    "CUSTOM",
];

/// A profit-sharing receiver as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    /// `MERCHANT_ID`, `PERSONAL_OPENID` or `PERSONAL_SUB_OPENID`.
    pub kind: String,
    /// The receiver's account (merchant id or openid).
    pub account: String,
    /// The decrypted `name`, if one was sent.
    pub name: Option<String>,
    /// The relation to the merchant.
    pub relation_type: String,
}

/// Receivers by (type, account).
#[derive(Debug, Default)]
pub(crate) struct Receivers {
    by_account: BTreeMap<(String, String), Receiver>,
}

impl Receivers {
    pub(crate) fn all(&self) -> Vec<Receiver> {
        self.by_account.values().cloned().collect()
    }

    /// Adds (or replaces) a receiver.
    pub(crate) fn add(&mut self, keys: &Keys, headers: &HeaderMap, body: &[u8]) -> Reply {
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return Reply::error(400, "PARAM_ERROR", "请求体不是JSON");
        };
        let text = |name: &str| request.get(name).and_then(Value::as_str);
        for required in ["appid", "type", "account", "relation_type"] {
            if text(required).is_none_or(str::is_empty) {
                return Reply::error(400, "PARAM_ERROR", &format!("缺少参数 {required}"));
            }
        }
        let kind = text("type").unwrap_or_default();
        let relation = text("relation_type").unwrap_or_default();
        if !TYPES.contains(&kind) {
            return Reply::error(400, "PARAM_ERROR", "type 取值错误");
        }
        if !RELATIONS.contains(&relation) {
            return Reply::error(400, "PARAM_ERROR", "relation_type 取值错误");
        }
        if relation == "CUSTOM" && text("custom_relation").is_none_or(str::is_empty) {
            return Reply::error(
                400,
                "PARAM_ERROR",
                "relation_type为CUSTOM时custom_relation必填",
            );
        }
        let name = match text("name") {
            None => None,
            Some(ciphertext) => match decryption_key(keys, headers) {
                Err(reply) => return reply,
                Ok(key) => match sensitive::open(key, ciphertext) {
                    Ok(plain) => Some(plain),
                    Err(_) => {
                        return Reply::error(
                            400,
                            "PARAM_ERROR",
                            "name 解密失败: 请使用Wechatpay-Serial对应的公钥加密",
                        );
                    }
                },
            },
        };
        if kind == "MERCHANT_ID" && name.is_none() {
            return Reply::error(400, "PARAM_ERROR", "type为MERCHANT_ID时name必填");
        }
        let receiver = Receiver {
            kind: kind.to_owned(),
            account: text("account").unwrap_or_default().to_owned(),
            name,
            relation_type: relation.to_owned(),
        };
        let mut answer = json!({
            "type": receiver.kind,
            "account": receiver.account,
            "relation_type": receiver.relation_type,
        });
        for optional in ["sub_mchid", "custom_relation"] {
            if let Some(value) = text(optional) {
                answer[optional] = json!(value);
            }
        }
        if let Some(plain) = &receiver.name {
            // For the merchant: its API certificate's key.
            match sensitive::seal(&keys.merchant_key.public_key(), plain) {
                Ok(sealed) => answer["name"] = json!(sealed),
                Err(e) => return Reply::error(500, "SYSTEM_ERROR", &e.to_string()),
            }
        }
        self.by_account
            .insert((receiver.kind.clone(), receiver.account.clone()), receiver);
        Reply {
            status: 200,
            body: answer,
        }
    }
}

/// The private key of the WeChat Pay key the request names in `Wechatpay-Serial`.
fn decryption_key<'a>(keys: &'a Keys, headers: &HeaderMap) -> Result<&'a PrivateKey, Reply> {
    let serial = headers.get(wx::SERIAL).and_then(|v| v.to_str().ok());
    match serial.map(|serial| keys.wechatpay_key(serial)) {
        Some(Some((_, key))) => Ok(key),
        Some(None) => Err(Reply::error(
            400,
            "PARAM_ERROR",
            "Wechatpay-Serial 不是有效的微信支付公钥ID或平台证书序列号",
        )),
        None => Err(Reply::error(
            400,
            "PARAM_ERROR",
            "请求含敏感信息字段，请求头缺少Wechatpay-Serial",
        )),
    }
}
