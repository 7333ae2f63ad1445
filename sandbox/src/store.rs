//! The business rules of the pre-stored code endpoints, as documented (see
//! `../shared/PROTOCOL.md`), on in-memory state. Independent of the generated
//! bindings on purpose: the end-to-end tests check the bindings against it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

/// The codes of a stock, in upload order. A million codes are a million
/// lookups and inserts per upload run: hashed with foldhash rather than
/// SipHash, since nobody attacks a sandbox's table (the profile of a
/// million-code upload, BENCHMARKS.md).
pub type Codes = IndexMap<String, CodeRecord, foldhash::fast::RandomState>;

/// An upload body as the client sends it, read without building a JSON tree
/// (codes borrowed where they have no escapes). Anything else goes the slow
/// way, through [`Value`], which names what is wrong.
#[derive(serde::Deserialize)]
struct UploadBody<'a> {
    #[serde(borrow)]
    upload_request_no: Cow<'a, str>,
    #[serde(borrow)]
    coupon_code_list: Vec<Cow<'a, str>>,
}

/// The code mode a stock must be in for codes to be uploaded.
pub const MERCHANT_UPLOAD: &str = "MERCHANT_UPLOAD";

/// Most codes one list page returns by default (the sandbox's choice: no source
/// documents it). A larger `limit` is refused with `PARAM_ERROR`, not cut short.
pub const MAX_PAGE: u64 = 100;

/// A pre-stored code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// `AVAILABLE` or `DISPATCHED`.
    pub status: &'static str,
    /// Unix seconds.
    pub upload_time: i64,
    /// Unix seconds, once dispatched.
    pub dispatched_time: Option<i64>,
    /// The user it was dispatched to.
    pub openid: Option<String>,
    /// Unix seconds, once redeemed (`coupons/use`).
    pub used_time: Option<i64>,
}

impl CodeRecord {
    /// The code goes to `openid`.
    fn dispatch_to(&mut self, openid: &str, now: i64) {
        self.status = "DISPATCHED";
        self.dispatched_time = Some(now);
        self.openid = Some(openid.to_owned());
    }
}

/// A stock (批次).
#[derive(Debug, Clone, Default)]
pub struct Stock {
    /// The code mode (`MERCHANT_UPLOAD`, `WECHATPAY_MODE`, `MERCHANT_API`).
    pub mode: String,
    /// Codes in upload order.
    pub codes: Codes,
}

/// An answer: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply { status: 200, body }
    }

    /// An error body: `{"code", "message", "detail"?}`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Reply {
            status,
            body: json!({"code": code, "message": message}),
        }
    }

    pub(crate) fn param_error(field: &str, issue: &str) -> Self {
        Reply {
            status: 400,
            body: json!({
                "code": "PARAM_ERROR",
                "message": format!("参数错误: {field}"),
                "detail": {"field": field, "location": "body", "issue": issue},
            }),
        }
    }
}

/// Everything the sandbox holds.
#[derive(Debug, Default)]
pub struct Store {
    /// Stocks by id.
    pub stocks: HashMap<String, Stock>,
    upload_replays: HashMap<String, Reply>,
    delete_replays: HashMap<String, Reply>,
    /// Upload requests handled (replays included).
    pub uploads: u64,
    /// Upload requests answered from an earlier answer with the same request number.
    pub upload_replays_served: u64,
    /// How many requests reached the business rules, per `upload_request_no`.
    pub upload_requests: HashMap<String, u32>,
    /// The largest `limit` a list request may ask for (0: [`MAX_PAGE`]).
    pub max_page: u64,
    /// Answer a larger `limit` with a shorter page (as some servers do) instead
    /// of refusing it; the page's `limit` field says how many it holds.
    pub cap_page: bool,
    /// The merchant-coupon notify URL (`POST /v3/marketing/busifavor/callbacks`).
    pub notify_url: Option<String>,
    send_replays: HashMap<String, Reply>,
    use_replays: HashMap<String, Reply>,
}

/// A coupon handed to a user: what its `COUPON.SEND` notification says.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The decrypted resource of the notification.
    pub resource: Value,
}

/// Whether a character may appear in a code: `0-9 a-z A-Z`, space and `- _ \ / = |`.
pub fn code_char_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '\\' | '/' | '=' | '|')
}

/// What an upload body holds: its request number, and its codes or what is
/// wrong with them (told only after a repeated request number is answered).
type UploadParts<'a> = (Cow<'a, str>, Result<Vec<Cow<'a, str>>, Reply>);

/// An upload body read through [`Value`], for the bodies [`UploadBody`]
/// does not take: the reply names the first thing wrong, as WeChat Pay does.
fn parse_upload_slowly(body: &[u8]) -> Result<UploadParts<'_>, Reply> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|_| Reply::param_error("body", "请求体不是合法的JSON"))?;
    let Some(request_no) = parsed.get("upload_request_no").and_then(Value::as_str) else {
        return Err(Reply::param_error(
            "upload_request_no",
            "upload_request_no is required",
        ));
    };
    let codes = match parsed.get("coupon_code_list").and_then(Value::as_array) {
        None => Err(Reply::param_error(
            "coupon_code_list",
            "coupon_code_list is required",
        )),
        Some(list) => list
            .iter()
            .map(|item| match item.as_str() {
                Some(code) => Ok(Cow::Owned(code.to_owned())),
                None => Err(Reply::param_error("coupon_code_list", "codes are strings")),
            })
            .collect(),
    };
    Ok((Cow::Owned(request_no.to_owned()), codes))
}

impl Store {
    /// Adds a stock (or changes its mode).
    pub fn add_stock(&mut self, stock_id: &str, mode: &str) {
        self.stocks.entry(stock_id.to_owned()).or_default().mode = mode.to_owned();
    }

    fn stock(&self, stock_id: &str) -> Result<&Stock, Reply> {
        self.stocks
            .get(stock_id)
            .ok_or_else(|| Reply::error(404, "RESOURCE_NOT_EXISTS", "批次不存在"))
    }

    /// `POST .../couponcodes`.
    pub fn upload(&mut self, stock_id: &str, body: &[u8], now: i64) -> Reply {
        self.uploads += 1;
        let (request_no, codes) = match serde_json::from_slice::<UploadBody<'_>>(body) {
            Ok(body) => (body.upload_request_no, Ok(body.coupon_code_list)),
            Err(_) => match parse_upload_slowly(body) {
                Ok(parts) => parts,
                Err(reply) => return reply,
            },
        };
        let request_no = request_no.as_ref();
        if request_no.is_empty() || request_no.chars().count() > 128 {
            return Reply::param_error("upload_request_no", "length must be 1-128");
        }
        *self
            .upload_requests
            .entry(request_no.to_owned())
            .or_default() += 1;
        if let Some(reply) = self.upload_replays.get(request_no) {
            self.upload_replays_served += 1;
            return reply.clone();
        }
        let codes = match codes {
            Ok(codes) => codes,
            Err(reply) => return reply,
        };
        if codes.is_empty() || codes.len() > 200 {
            return Reply::param_error("coupon_code_list", "1-200 codes per request");
        }
        if codes
            .iter()
            .any(|code| !code.chars().all(code_char_allowed))
        {
            return Reply::param_error(
                "coupon_code_list",
                "a code has a character outside 0-9 a-z A-Z, space and - _ \\ / = |",
            );
        }
        if stock_id.is_empty() || stock_id.chars().count() > 20 {
            return Reply::param_error("stock_id", "length must be 1-20");
        }
        let stock = match self.stocks.get_mut(stock_id) {
            Some(stock) => stock,
            None => return Reply::error(404, "RESOURCE_NOT_EXISTS", "批次不存在"),
        };
        if stock.mode != MERCHANT_UPLOAD {
            return Reply::error(
                400,
                "INVALID_REQUEST",
                "批次的券code模式不是商户上传(MERCHANT_UPLOAD)",
            );
        }
        let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
        let mut duplicates = Vec::new();
        let mut succeeded = Vec::new();
        let mut existed = Vec::new();
        let mut failed = Vec::new();
        for code in &codes {
            let code = code.as_ref();
            if !seen.insert(code) {
                if !duplicates.contains(&code) {
                    duplicates.push(code);
                }
                continue;
            }
            let length = code.chars().count();
            if length == 0 || length > 32 {
                failed.push(json!({"coupon_code": code, "code": "LENGTH_LIMIT", "message": "长度超过最大值32位"}));
                continue;
            }
            // One probe of the table per code.
            match stock.codes.entry(code.to_owned()) {
                indexmap::map::Entry::Occupied(_) => existed.push(code),
                indexmap::map::Entry::Vacant(slot) => {
                    slot.insert(CodeRecord {
                        status: "AVAILABLE",
                        upload_time: now,
                        dispatched_time: None,
                        openid: None,
                        used_time: None,
                    });
                    succeeded.push(code);
                }
            }
        }
        let mut body = Map::new();
        body.insert("stock_id".into(), json!(stock_id));
        body.insert("total_count".into(), json!(seen.len()));
        body.insert("success_count".into(), json!(succeeded.len()));
        body.insert("success_codes".into(), json!(succeeded));
        body.insert("success_time".into(), json!(rfc3339(now)));
        body.insert("fail_count".into(), json!(failed.len()));
        if !failed.is_empty() {
            body.insert("fail_codes".into(), Value::Array(failed));
        }
        if !existed.is_empty() {
            body.insert("exist_codes".into(), json!(existed));
        }
        if !duplicates.is_empty() {
            body.insert("duplicate_codes".into(), json!(duplicates));
        }
        let reply = Reply::ok(Value::Object(body));
        self.upload_replays
            .insert(request_no.to_owned(), reply.clone());
        reply
    }

    /// The codes imported by upload requests numbered `{prefix}-...`.
    pub fn imported_by(&self, prefix: &str) -> HashSet<String> {
        let start = format!("{prefix}-");
        self.upload_replays
            .iter()
            .filter(|(request_no, _)| request_no.starts_with(&start))
            .filter_map(|(_, reply)| reply.body["success_codes"].as_array())
            .flatten()
            .filter_map(|code| code.as_str().map(str::to_owned))
            .collect()
    }

    /// `GET .../couponcodes` with its query parameters.
    pub fn list(&self, stock_id: &str, query: &HashMap<String, String>) -> Reply {
        let stock = match self.stock(stock_id) {
            Ok(stock) => stock,
            Err(reply) => return reply,
        };
        let number = |name: &str, default: u64| -> Result<u64, Reply> {
            match query.get(name) {
                None => Ok(default),
                Some(text) => text
                    .parse::<u64>()
                    .map_err(|_| Reply::param_error(name, "must be a whole number")),
            }
        };
        let offset = match number("offset", 0) {
            Ok(v) => v,
            Err(reply) => return reply,
        };
        let max_page = if self.max_page == 0 {
            MAX_PAGE
        } else {
            self.max_page
        };
        let limit = match number("limit", 10) {
            Ok(v) if (1..=max_page).contains(&v) => v,
            Ok(v) if v > 0 && self.cap_page => max_page,
            Ok(_) => {
                return Reply::param_error("limit", &format!("limit must be 1 to {max_page}"));
            }
            Err(reply) => return reply,
        };
        let status = query.get("status").map(String::as_str);
        let appid = query.get("appid");
        let (total, selected): (usize, Vec<(&String, &CodeRecord)>) =
            if status.is_none() && appid.is_none() {
                // Unfiltered, a page is a slice of the codes in upload order: an
                // export of a million codes must not scan them all for every page.
                let start = (offset as usize).min(stock.codes.len());
                let end = start.saturating_add(limit as usize).min(stock.codes.len());
                let page = stock.codes.get_range(start..end).into_iter().flatten();
                (stock.codes.len(), page.collect())
            } else {
                let matching = || {
                    stock.codes.iter().filter(|(_, record)| {
                        status.is_none_or(|s| s == record.status)
                            && (appid.is_none() || record.openid.is_some())
                    })
                };
                let page = matching().skip(offset as usize).take(limit as usize);
                (matching().count(), page.collect())
            };
        let data: Vec<Value> = selected
            .into_iter()
            .map(|(code, record)| code_information(code, record))
            .collect();
        let mut body = json!({
            "stock_id": stock_id,
            "total_count": total,
            "offset": offset,
            "limit": data.len(),
        });
        if !data.is_empty() {
            body["data"] = Value::Array(data);
        }
        Reply::ok(body)
    }

    /// `GET .../couponcodes/{coupon_code}`.
    pub fn get(&self, stock_id: &str, code: &str) -> Reply {
        let stock = match self.stock(stock_id) {
            Ok(stock) => stock,
            Err(reply) => return reply,
        };
        let Some(record) = stock.codes.get(code) else {
            return Reply::error(404, "RESOURCE_NOT_EXISTS", "券code不存在");
        };
        let mut body = json!({"code_information": code_information(code, record)});
        if record.dispatched_time.is_some() {
            body["coupon_information"] = json!({
                "stock_name": "沙箱商家券",
                "belong_merchant": "1900000001",
                "goods_name": "沙箱商品",
                "stock_type": "NORMAL",
                "coupon_use_rule": {
                    "coupon_available_time": {
                        "available_begin_time": rfc3339(record.upload_time),
                        "available_end_time": rfc3339(record.upload_time + 30 * 86400),
                    },
                    "use_method": "OFF_LINE",
                },
                "coupon_state": "SENDED",
            });
        }
        Reply::ok(body)
    }

    /// `DELETE .../couponcodes/{coupon_code}?delete_request_no=...`.
    pub fn delete(
        &mut self,
        stock_id: &str,
        code: &str,
        request_no: Option<&str>,
        now: i64,
    ) -> Reply {
        let Some(request_no) = request_no.filter(|n| !n.is_empty()) else {
            return Reply::param_error("delete_request_no", "delete_request_no is required");
        };
        if let Some(reply) = self.delete_replays.get(request_no) {
            return reply.clone();
        }
        let stock = match self.stocks.get_mut(stock_id) {
            Some(stock) => stock,
            None => return Reply::error(404, "RESOURCE_NOT_EXISTS", "批次不存在"),
        };
        match stock.codes.get(code) {
            None => return Reply::error(404, "RESOURCE_NOT_EXISTS", "券code不存在"),
            Some(record) if record.status == "DISPATCHED" => {
                return Reply::error(400, "INVALID_REQUEST", "已派发的券code不能删除");
            }
            Some(_) => {}
        }
        stock.codes.shift_remove(code);
        let reply = Reply::ok(json!({"stock_id": stock_id, "delete_time": rfc3339(now)}));
        self.delete_replays
            .insert(request_no.to_owned(), reply.clone());
        reply
    }

    /// Test hook: a coupon with this code was sent to `openid`.
    pub fn dispatch(
        &mut self,
        stock_id: &str,
        code: &str,
        openid: &str,
        now: i64,
    ) -> Result<(), String> {
        let record = self
            .stocks
            .get_mut(stock_id)
            .and_then(|s| s.codes.get_mut(code))
            .ok_or_else(|| format!("no code {code:?} in stock {stock_id:?}"))?;
        record.dispatch_to(openid, now);
        Ok(())
    }

    /// A JSON request body whose `required` fields are non-empty strings, or
    /// the `PARAM_ERROR` that names the first one missing.
    fn request_with(body: &[u8], required: &[&str]) -> Result<Value, Reply> {
        let request = serde_json::from_slice::<Value>(body)
            .map_err(|_| Reply::param_error("body", "not JSON"))?;
        match required
            .iter()
            .find(|field| request[**field].as_str().is_none_or(str::is_empty))
        {
            Some(field) => Err(Reply::param_error(field, "required")),
            None => Ok(request),
        }
    }

    /// `POST /v3/marketing/busifavor/callbacks`: sets the notify URL.
    pub fn set_callback(&mut self, mchid: &str, body: &[u8], now: i64) -> Reply {
        let request = match Self::request_with(body, &["notify_url"]) {
            Ok(request) => request,
            Err(reply) => return reply,
        };
        let url = request["notify_url"].as_str().unwrap_or_default();
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 256 {
            return Reply::param_error(
                "notify_url",
                "must be an http(s) URL of at most 256 characters",
            );
        }
        if let Some(other) = request["mchid"].as_str().filter(|m| *m != mchid) {
            return Reply::error(403, "NO_AUTH", &format!("mchid {other} is not the caller"));
        }
        self.notify_url = Some(url.to_owned());
        Reply::ok(json!({"update_time": rfc3339(now), "notify_url": url, "mchid": mchid}))
    }

    /// `GET /v3/marketing/busifavor/callbacks`.
    pub fn callback(&self, mchid: &str) -> Reply {
        match &self.notify_url {
            Some(url) => Reply::ok(json!({"notify_url": url, "mchid": mchid})),
            None => Reply::error(404, "RESOURCE_NOT_EXISTS", "no notify URL is set"),
        }
    }

    /// `POST /v3/marketing/busifavor/coupons/send`: gives `openid` one uploaded
    /// code of a `MERCHANT_UPLOAD` stock (the one named, or the next available
    /// in upload order). A repeated `out_request_no` gets the first answer and
    /// sends nothing again.
    pub fn send_coupon(&mut self, mchid: &str, body: &[u8], now: i64) -> (Reply, Option<Sent>) {
        let request =
            match Self::request_with(body, &["openid", "appid", "stock_id", "out_request_no"]) {
                Ok(request) => request,
                Err(reply) => return (reply, None),
            };
        let text = |field: &str| request[field].as_str().unwrap_or_default().to_owned();
        let (openid, stock_id, out_request_no) =
            (text("openid"), text("stock_id"), text("out_request_no"));
        if let Some(reply) = self.send_replays.get(&out_request_no) {
            return (reply.clone(), None);
        }
        let stock = match self.stocks.get_mut(&stock_id) {
            Some(stock) => stock,
            None => return (Reply::error(404, "RESOURCE_NOT_EXISTS", "批次不存在"), None),
        };
        if stock.mode != MERCHANT_UPLOAD {
            return (
                Reply::error(403, "NO_AUTH", "该批次不是商户上传code模式"),
                None,
            );
        }
        let wanted = request["coupon_code"].as_str();
        let found = match wanted {
            Some(code) => stock
                .codes
                .get_mut(code)
                .filter(|record| record.status == "AVAILABLE")
                .map(|record| (code.to_owned(), record)),
            None => stock
                .codes
                .iter_mut()
                .find(|(_, record)| record.status == "AVAILABLE")
                .map(|(code, record)| (code.clone(), record)),
        };
        let Some((code, record)) = found else {
            let message = match wanted {
                Some(_) => "该code不存在或已发放",
                None => "批次预存code已发完",
            };
            return (Reply::error(400, "RESOURCE_NOT_EXISTS", message), None);
        };
        record.dispatch_to(&openid, now);
        let reply = Reply::ok(json!({
            "stock_id": stock_id,
            "coupon_code": code,
            "out_request_no": out_request_no,
        }));
        self.send_replays.insert(out_request_no, reply.clone());
        let resource = json!({
            "event_type": "EVENT_TYPE_BUSICOUPON_SEND",
            "coupon_code": code,
            "stock_id": stock_id,
            "send_time": rfc3339(now),
            "openid": openid,
            "send_channel": "BUSICOUPON_SEND_CHANNEL_API",
            "send_merchant": mchid,
        });
        (reply, Some(Sent { resource }))
    }

    /// `POST /v3/marketing/busifavor/coupons/use`: redeems a dispatched code. A
    /// repeated `use_request_no` gets the first answer.
    pub fn use_coupon(&mut self, body: &[u8], now: i64) -> Reply {
        let request = match Self::request_with(
            body,
            &["coupon_code", "appid", "use_time", "use_request_no"],
        ) {
            Ok(request) => request,
            Err(reply) => return reply,
        };
        let text = |field: &str| request[field].as_str().unwrap_or_default().to_owned();
        let (code, request_no) = (text("coupon_code"), text("use_request_no"));
        if let Some(reply) = self.use_replays.get(&request_no) {
            return reply.clone();
        }
        let wanted_stock = request["stock_id"].as_str();
        let found = self.stocks.iter_mut().find_map(|(stock_id, stock)| {
            if wanted_stock.is_some_and(|wanted| wanted != stock_id) {
                return None;
            }
            stock
                .codes
                .get_mut(&code)
                .map(|record| (stock_id.clone(), record))
        });
        let Some((stock_id, record)) = found else {
            return Reply::error(404, "RESOURCE_NOT_EXISTS", "券不存在");
        };
        let Some(openid) = record
            .openid
            .clone()
            .filter(|_| record.status == "DISPATCHED")
        else {
            return Reply::error(400, "INVALID_REQUEST", "券未发放给用户，不可核销");
        };
        if request["openid"]
            .as_str()
            .is_some_and(|given| given != openid)
        {
            return Reply::error(400, "INVALID_REQUEST", "券不属于该用户");
        }
        if record.used_time.is_some() {
            return Reply::error(400, "INVALID_REQUEST", "券已核销");
        }
        record.used_time = Some(now);
        let reply = Reply::ok(json!({
            "stock_id": stock_id,
            "openid": openid,
            "wechatpay_use_time": rfc3339(now),
        }));
        self.use_replays.insert(request_no, reply.clone());
        reply
    }

    /// The codes a stock holds, in upload order.
    pub fn codes(&self, stock_id: &str) -> Vec<String> {
        self.stocks
            .get(stock_id)
            .map(|s| s.codes.keys().cloned().collect())
            .unwrap_or_default()
    }
}

fn code_information(code: &str, record: &CodeRecord) -> Value {
    let mut info = json!({
        "code": code,
        "code_status": record.status,
        "upload_time": rfc3339(record.upload_time),
    });
    if let (Some(time), Some(openid)) = (record.dispatched_time, &record.openid) {
        info["dispatched_time"] = json!(rfc3339(time));
        info["openid"] = json!(openid);
        info["coupon_code"] = json!(code);
    }
    info
}

/// Unix seconds as RFC 3339 in Beijing time: `2024-11-28T10:00:00+08:00`.
pub fn rfc3339(unix: i64) -> String {
    let local = unix + 8 * 3600;
    let days = local.div_euclid(86400);
    let seconds = local.rem_euclid(86400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let mut store = Store::default();
        store.add_stock("98065001", MERCHANT_UPLOAD);
        store.add_stock("1000", "WECHATPAY_MODE");
        store
    }

    #[test]
    fn coupons_are_sent_once_per_request_number() {
        let mut store = store();
        let body = br#"{"coupon_code_list":["A1","A2"],"upload_request_no":"r1"}"#;
        store.upload("98065001", body, 0);
        let send = |n: &str, code: Option<&str>, stock: &str| {
            let mut request =
                json!({"openid": "o1", "appid": "wx1", "stock_id": stock, "out_request_no": n});
            if let Some(code) = code {
                request["coupon_code"] = json!(code);
            }
            request.to_string()
        };
        let (reply, sent) = store.send_coupon("1900", send("s1", None, "98065001").as_bytes(), 5);
        assert_eq!(reply.body["coupon_code"], "A1");
        assert_eq!(sent.unwrap().resource["openid"], "o1");
        assert_eq!(store.stocks["98065001"].codes["A1"].status, "DISPATCHED");
        // A repeated request number answers the same and sends nothing new.
        let (again, sent) = store.send_coupon("1900", send("s1", None, "98065001").as_bytes(), 6);
        assert_eq!((again, sent), (reply, None));
        // A dispatched code cannot be sent again; the next one can.
        let (reply, sent) =
            store.send_coupon("1900", send("s2", Some("A1"), "98065001").as_bytes(), 7);
        assert_eq!((reply.status, sent), (400, None));
        let (reply, _) = store.send_coupon("1900", send("s3", None, "98065001").as_bytes(), 7);
        assert_eq!(reply.body["coupon_code"], "A2");
        let (reply, sent) = store.send_coupon("1900", send("s4", None, "98065001").as_bytes(), 8);
        assert_eq!((reply.status, sent), (400, None), "no code is left");
        let (reply, _) = store.send_coupon("1900", send("s5", None, "1000").as_bytes(), 8);
        assert_eq!(reply.status, 403, "not a MERCHANT_UPLOAD stock");
        let (reply, _) = store.send_coupon("1900", br#"{"openid":"o1"}"#, 8);
        assert_eq!(reply.body["code"], "PARAM_ERROR");

        // Redeeming: only a dispatched code, once, by its user; replays answer the same.
        let redeem = |code: &str, n: &str, openid: &str| {
            json!({"coupon_code": code, "appid": "wx1", "use_time": "2026-12-02T12:00:00+08:00",
                   "use_request_no": n, "openid": openid})
            .to_string()
        };
        let used = store.use_coupon(redeem("A1", "u1", "o1").as_bytes(), 9);
        assert_eq!(
            (used.status, &used.body["stock_id"]),
            (200, &json!("98065001"))
        );
        assert_eq!(
            store.use_coupon(redeem("A1", "u1", "o1").as_bytes(), 10),
            used
        );
        assert_eq!(
            store
                .use_coupon(redeem("A1", "u2", "o1").as_bytes(), 10)
                .status,
            400
        );
        assert_eq!(
            store
                .use_coupon(redeem("A2", "u3", "o2").as_bytes(), 10)
                .status,
            400
        );
        assert_eq!(
            store
                .use_coupon(redeem("NOPE", "u4", "o1").as_bytes(), 10)
                .status,
            404
        );
    }

    #[test]
    fn dates_are_beijing_time() {
        assert_eq!(rfc3339(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(1_554_208_460), "2019-04-02T20:34:20+08:00");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T08:00:00+08:00");
    }

    #[test]
    fn uploads_report_every_code() {
        let mut store = store();
        let body = br#"{"coupon_code_list":["a","b","a","x23456789012345678901234567890123"],"upload_request_no":"r1"}"#;
        let reply = store.upload("98065001", body, 0);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["total_count"], 3);
        assert_eq!(reply.body["success_codes"], json!(["a", "b"]));
        assert_eq!(reply.body["duplicate_codes"], json!(["a"]));
        assert_eq!(reply.body["fail_codes"][0]["code"], "LENGTH_LIMIT");
        // The same request number replays the first answer.
        assert_eq!(store.upload("98065001", body, 99), reply);
        let again = store.upload(
            "98065001",
            br#"{"coupon_code_list":["a","c"],"upload_request_no":"r2"}"#,
            0,
        );
        assert_eq!(again.body["exist_codes"], json!(["a"]));
        assert_eq!(store.codes("98065001"), ["a", "b", "c"]);
    }

    #[test]
    fn uploads_read_escaped_codes_and_name_what_is_wrong() {
        let mut store = store();
        // An escaped backslash and slash: the codes are `A\B` and `C/D`.
        let reply = store.upload(
            "98065001",
            br#"{"coupon_code_list":["A\\B","C\/D"],"upload_request_no":"e1"}"#,
            0,
        );
        assert_eq!(reply.body["success_codes"], json!(["A\\B", "C/D"]));
        let issue = |body: &[u8], store: &mut Store| {
            store.upload("98065001", body, 0).body["detail"]["issue"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert!(
            issue(
                br#"{"coupon_code_list":[1],"upload_request_no":"e2"}"#,
                &mut store
            )
            .contains("codes are strings")
        );
        assert!(
            issue(br#"{"upload_request_no":"e3"}"#, &mut store)
                .contains("coupon_code_list is required")
        );
        // A repeated request number is answered from the first import, even
        // when the repeat's list is unreadable.
        assert_eq!(
            store.upload("98065001", br#"{"upload_request_no":"e1"}"#, 5),
            reply
        );
    }

    #[test]
    fn upload_errors() {
        let mut store = store();
        let cases: &[(&str, &[u8], u16, &str)] = &[
            ("98065001", b"{", 400, "PARAM_ERROR"),
            (
                "98065001",
                br#"{"coupon_code_list":[],"upload_request_no":"x"}"#,
                400,
                "PARAM_ERROR",
            ),
            (
                "98065001",
                br#"{"coupon_code_list":["a\tb"],"upload_request_no":"x"}"#,
                400,
                "PARAM_ERROR",
            ),
            (
                "98065001",
                br#"{"coupon_code_list":["a"]}"#,
                400,
                "PARAM_ERROR",
            ),
            (
                "nope",
                br#"{"coupon_code_list":["a"],"upload_request_no":"x"}"#,
                404,
                "RESOURCE_NOT_EXISTS",
            ),
            (
                "1000",
                br#"{"coupon_code_list":["a"],"upload_request_no":"y"}"#,
                400,
                "INVALID_REQUEST",
            ),
        ];
        for (stock, body, status, code) in cases {
            let reply = store.upload(stock, body, 0);
            assert_eq!(
                (reply.status, reply.body["code"].as_str().unwrap()),
                (*status, *code),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn list_get_delete_dispatch() {
        let mut store = store();
        let codes: Vec<String> = (0..250).map(|i| format!("C{i}")).collect();
        for (i, chunk) in codes.chunks(200).enumerate() {
            let body = json!({"coupon_code_list": chunk, "upload_request_no": format!("r{i}")});
            store.upload("98065001", body.to_string().as_bytes(), 0);
        }
        let query = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let page = store.list("98065001", &query(&[("offset", "240"), ("limit", "100")]));
        assert_eq!(page.body["total_count"], 250);
        assert_eq!(page.body["limit"], 10);
        assert_eq!(page.body["data"][0]["code"], "C240");
        let page = store.list("98065001", &query(&[("limit", "100")]));
        assert_eq!(page.body["limit"], MAX_PAGE);
        let too_big = store.list("98065001", &query(&[("limit", "101")]));
        assert_eq!(
            too_big.status, 400,
            "a limit above the maximum is refused, not cut"
        );
        assert!(
            too_big.body.to_string().contains("1 to 100"),
            "{}",
            too_big.body
        );
        store.max_page = 250;
        let page = store.list("98065001", &query(&[("limit", "250")]));
        assert_eq!(page.body["limit"], 250);
        store.dispatch("98065001", "C1", "openid-1", 5).unwrap();
        let one = store.get("98065001", "C1");
        assert_eq!(one.body["code_information"]["code_status"], "DISPATCHED");
        assert!(one.body.get("coupon_information").is_some());
        assert!(
            store
                .get("98065001", "C2")
                .body
                .get("coupon_information")
                .is_none()
        );
        let dispatched = store.list("98065001", &query(&[("status", "DISPATCHED")]));
        assert_eq!(dispatched.body["total_count"], 1);
        assert_eq!(store.delete("98065001", "C1", Some("d1"), 0).status, 400);
        assert_eq!(store.delete("98065001", "C2", None, 0).status, 400);
        let deleted = store.delete("98065001", "C2", Some("d2"), 0);
        assert_eq!(deleted.status, 200);
        assert_eq!(
            store.delete("98065001", "C2", Some("d2"), 0),
            deleted,
            "replayed"
        );
        assert_eq!(store.delete("98065001", "C2", Some("d3"), 0).status, 404);
        assert_eq!(store.get("98065001", "C2").status, 404);
    }
}
