//! The client side of a payment (调起支付): after a prepay answer, what the
//! merchant's server signs and hands to its front end, which passes it to
//! WeChat Pay (`wx.requestPayment` in a mini-program, `WeixinJSBridge` in a
//! JSAPI page, the WeChat SDK in an app).
//!
//! Each is signed with the merchant's private key (SHA256withRSA, PKCS#1
//! v1.5, base64) over its fields one a line, every line ending in `\n`, as the
//! official Go SDK's `PrepayWithRequestPayment` does. H5 and Native answers
//! (`h5_url`, `code_url`) are used as they come: nothing is signed for them.
//!
//! ```
//! use wechatpay_runtime::PrivateKey;
//! use wechatpay_runtime::payment::JsapiPayment;
//!
//! # fn main() -> Result<(), wechatpay_runtime::Error> {
//! let key = PrivateKey::generate()?;
//! let pay = JsapiPayment::sign(&key, "wx8888888888888888", "wx201410272009395522657a690389285100");
//! assert_eq!(pay.package, "prepay_id=wx201410272009395522657a690389285100");
//! // Serialized as the front end expects it: appId, timeStamp, nonceStr,
//! // package, signType, paySign.
//! let json = serde_json::to_value(&pay).unwrap();
//! assert_eq!(json["signType"], "RSA");
//! # Ok(()) }
//! ```

use serde::Serialize;

use crate::keys::PrivateKey;
use crate::sign::nonce;

/// What a JSAPI page or a mini-program passes to WeChat Pay
/// (`wx.requestPayment(...)`): serialized with the names the front end uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiPayment {
    /// The appid the prepay was made for.
    pub app_id: String,
    /// Unix seconds, as a string.
    pub time_stamp: String,
    /// A random string.
    pub nonce_str: String,
    /// `prepay_id=<prepay_id>`.
    pub package: String,
    /// Always `RSA`.
    pub sign_type: String,
    /// The signature of `appId\ntimeStamp\nnonceStr\npackage\n`.
    pub pay_sign: String,
}

impl JsapiPayment {
    /// Signs the parameters of `prepay_id` for `app_id`, now, with a fresh nonce.
    pub fn sign(key: &PrivateKey, app_id: &str, prepay_id: &str) -> JsapiPayment {
        Self::sign_at(key, app_id, prepay_id, crate::sign::unix_now(), &nonce())
    }

    /// [`sign`](Self::sign) at a given time and nonce (for tests and replays).
    pub fn sign_at(
        key: &PrivateKey,
        app_id: &str,
        prepay_id: &str,
        timestamp: i64,
        nonce: &str,
    ) -> JsapiPayment {
        let time_stamp = timestamp.to_string();
        let package = format!("prepay_id={prepay_id}");
        let pay_sign = key.sign(lines(&[app_id, &time_stamp, nonce, &package]).as_bytes());
        JsapiPayment {
            app_id: app_id.to_owned(),
            time_stamp,
            nonce_str: nonce.to_owned(),
            package,
            sign_type: "RSA".to_owned(),
            pay_sign,
        }
    }
}

/// What an app passes to the WeChat SDK (`PayReq`): serialized with the names
/// the SDK uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppPayment {
    /// The app's appid.
    pub appid: String,
    /// The merchant id.
    pub partnerid: String,
    /// The prepay id.
    pub prepayid: String,
    /// Always `Sign=WXPay`.
    pub package: String,
    /// A random string.
    pub noncestr: String,
    /// Unix seconds, as a string.
    pub timestamp: String,
    /// The signature of `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub sign: String,
}

impl AppPayment {
    /// Signs the parameters of `prepay_id` for `app_id` and merchant `mchid`,
    /// now, with a fresh nonce.
    pub fn sign(key: &PrivateKey, app_id: &str, mchid: &str, prepay_id: &str) -> AppPayment {
        Self::sign_at(
            key,
            app_id,
            mchid,
            prepay_id,
            crate::sign::unix_now(),
            &nonce(),
        )
    }

    /// [`sign`](Self::sign) at a given time and nonce (for tests and replays).
    pub fn sign_at(
        key: &PrivateKey,
        app_id: &str,
        mchid: &str,
        prepay_id: &str,
        timestamp: i64,
        nonce: &str,
    ) -> AppPayment {
        let timestamp = timestamp.to_string();
        let sign = key.sign(lines(&[app_id, &timestamp, nonce, prepay_id]).as_bytes());
        AppPayment {
            appid: app_id.to_owned(),
            partnerid: mchid.to_owned(),
            prepayid: prepay_id.to_owned(),
            package: "Sign=WXPay".to_owned(),
            noncestr: nonce.to_owned(),
            timestamp,
            sign,
        }
    }
}

/// The fields one a line, each line ending in `\n`.
fn lines(fields: &[&str]) -> String {
    let mut message = String::new();
    for field in fields {
        message.push_str(field);
        message.push('\n');
    }
    message
}
