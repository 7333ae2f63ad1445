//! `GET /v3/bill/tradebill` and `GET /v3/billdownload/file`: the sandbox's
//! file download. A bill apply answers with the bill's SHA1 (over the bill
//! itself, so before gzip) and a download link with a one-off token; the
//! download streams the bill as it is generated, gzip-compressed when the apply
//! asked for `GZIP`, unsigned like WeChat Pay's. Bills are made up, the same
//! for the same date and size, and as large as configured (hundreds of
//! megabytes cost the sandbox no memory and little time: a block of rows is
//! sent again and again). A corrupted bill changes one byte in
//! the middle of the download, so only its digest can tell.

use std::collections::HashMap;
use std::io::Write as _;

use bytes::Bytes;
use serde_json::json;
use sha1::{Digest, Sha1};

use crate::store::Reply;

/// What the next bill applies produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillConfig {
    /// The bill's size in bytes (before compression).
    pub size: u64,
    /// Whether downloads of it are altered in one byte (a digest mismatch).
    pub corrupt: bool,
    /// Whether downloads of it stop halfway, the connection closed before the
    /// length announced (plain downloads; a gzip one is cut mid-stream).
    pub cut_short: bool,
}

impl Default for BillConfig {
    fn default() -> Self {
        BillConfig {
            size: 64 * 1024,
            corrupt: false,
            cut_short: false,
        }
    }
}

/// A download as it is made: its length when known in advance, and its chunks.
pub(crate) type Chunks = (Option<u64>, Box<dyn Iterator<Item = Bytes> + Send + Sync>);

/// An applied-for bill, by download token.
#[derive(Debug, Clone)]
struct Bill {
    date: String,
    config: BillConfig,
    gzip: bool,
}

/// Bills applied for, and the configuration of the next ones.
#[derive(Debug, Default)]
pub(crate) struct Bills {
    pub(crate) next: BillConfig,
    by_token: HashMap<String, Bill>,
    /// SHA1 of (date, size): generating a large bill twice to hash it is the cost.
    digests: HashMap<(String, u64), String>,
}

const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n";

impl Bills {
    /// A bill apply (`GET /v3/bill/tradebill`): its digest and download link on `host`.
    pub(crate) fn apply(&mut self, query: &HashMap<String, String>, host: &str) -> Reply {
        let Some(date) = query.get("bill_date") else {
            return Reply::error(400, "PARAM_ERROR", "缺少参数 bill_date");
        };
        if !is_date(date) {
            return Reply::error(400, "PARAM_ERROR", "bill_date 格式应为YYYY-MM-DD");
        }
        let gzip = match query.get("tar_type").map(String::as_str) {
            None => false,
            Some("GZIP") => true,
            Some(_) => return Reply::error(400, "PARAM_ERROR", "tar_type 只支持GZIP"),
        };
        let config = self.next;
        let digest = self
            .digests
            .entry((date.clone(), config.size))
            .or_insert_with(|| {
                let mut hasher = Sha1::new();
                for chunk in BillChunks::new(date, config.size, false) {
                    hasher.update(&chunk);
                }
                base16ct::lower::encode_string(&hasher.finalize())
            })
            .clone();
        let token = format!("{:032x}", rand::random::<u128>());
        let mut url = format!("http://{host}/v3/billdownload/file?token={token}");
        if gzip {
            url.push_str("&tartype=gzip");
        }
        self.by_token.insert(
            token,
            Bill {
                date: date.clone(),
                config,
                gzip,
            },
        );
        Reply {
            status: 200,
            body: json!({"hash_type": "SHA1", "hash_value": digest, "download_url": url}),
        }
    }

    /// The download (`GET /v3/billdownload/file`): its length when known, and
    /// its chunks as they are made.
    pub(crate) fn download(&self, query: &HashMap<String, String>) -> Result<Chunks, Reply> {
        let bill = query
            .get("token")
            .and_then(|token| self.by_token.get(token))
            .ok_or_else(|| Reply::error(400, "INVALID_REQUEST", "token无效或已过期"))?
            .clone();
        let mut plain = BillChunks::new(&bill.date, bill.config.size, bill.config.corrupt);
        if bill.config.cut_short {
            // The length announced stays the bill's; the bytes stop halfway.
            plain.size /= 2;
        }
        Ok(if bill.gzip {
            (None, Box::new(Gzipped::new(plain)))
        } else {
            (Some(bill.config.size), Box::new(plain))
        })
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A bill's bytes in chunks of 64 KiB: the header, then rows, cut at exactly
/// `size` bytes. The rows are one block made once and sent again and again
/// (zero-copy), so that making a large bill costs the sandbox almost nothing
/// and a download measures the client, not the sandbox.
struct BillChunks {
    block: Bytes,
    size: u64,
    made: u64,
    corrupt_at: Option<u64>,
}

/// Rows per block: a block is a whole number of rows, about 64 KiB.
const BLOCK_ROWS: u64 = 256;

impl BillChunks {
    fn new(date: &str, size: u64, corrupt: bool) -> Self {
        let mut block = Vec::with_capacity(72 * 1024);
        for n in 0..BLOCK_ROWS {
            let seconds = n * 337 % 86_400;
            let cents = 100 + n * 7919 % 99_900;
            write!(
                block,
                "`{date} {:02}:{:02}:{:02},`wxSandboxAppid0001,`1900000001,`0,`,`4200{n:024},`SANDBOX{n:025},`oSandboxUser{n:016},`JSAPI,`SUCCESS,`OTHERS,`CNY,`{}.{:02},`0.00,`0,`0,`0.00,`0.00,`,`,`商品{n},`,`0.00,`0.60%,`{}.{:02},`0.00,`\r\n",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60,
                cents / 100,
                cents % 100,
                cents / 100,
                cents % 100,
            )
            .expect("writing to a Vec");
        }
        BillChunks {
            block: Bytes::from(block),
            size,
            made: 0,
            corrupt_at: corrupt.then_some(size / 2),
        }
    }
}

impl Iterator for BillChunks {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.made >= self.size {
            return None;
        }
        let room = (self.size - self.made) as usize;
        let mut chunk = if self.made == 0 {
            Bytes::from(HEADER.as_bytes())
        } else {
            self.block.clone()
        };
        chunk.truncate(room);
        if let Some(at) = self.corrupt_at
            && (self.made..self.made + chunk.len() as u64).contains(&at)
        {
            let mut altered = chunk.to_vec();
            let byte = &mut altered[(at - self.made) as usize];
            *byte = if *byte == b'0' { b'1' } else { b'0' };
            chunk = Bytes::from(altered);
        }
        self.made += chunk.len() as u64;
        Some(chunk)
    }
}

/// Chunks gzip-compressed as they go.
struct Gzipped<I> {
    plain: I,
    encoder: Option<flate2::write::GzEncoder<Vec<u8>>>,
}

impl<I> Gzipped<I> {
    fn new(plain: I) -> Self {
        Gzipped {
            plain,
            encoder: Some(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::fast(),
            )),
        }
    }
}

impl<I: Iterator<Item = Bytes>> Iterator for Gzipped<I> {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        loop {
            let encoder = self.encoder.as_mut()?;
            match self.plain.next() {
                Some(chunk) => {
                    encoder.write_all(&chunk).expect("writing to a Vec");
                    if !encoder.get_ref().is_empty() {
                        return Some(Bytes::from(std::mem::take(encoder.get_mut())));
                    }
                }
                None => {
                    let rest = self.encoder.take()?.finish().expect("writing to a Vec");
                    return (!rest.is_empty()).then(|| Bytes::from(rest));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bills_are_exactly_their_size_and_corruption_keeps_the_size() {
        let plain: Vec<u8> = BillChunks::new("2026-12-01", 200_000, false)
            .flat_map(|c| c.to_vec())
            .collect();
        assert_eq!(plain.len(), 200_000);
        assert!(plain.starts_with(HEADER.as_bytes()));
        let corrupt: Vec<u8> = BillChunks::new("2026-12-01", 200_000, true)
            .flat_map(|c| c.to_vec())
            .collect();
        assert_eq!(corrupt.len(), plain.len());
        assert_eq!(
            plain.iter().zip(&corrupt).filter(|(a, b)| a != b).count(),
            1
        );
        let gzipped: Vec<u8> = Gzipped::new(BillChunks::new("2026-12-01", 200_000, false))
            .flat_map(|c| c.to_vec())
            .collect();
        let mut decoder = flate2::read::GzDecoder::new(&gzipped[..]);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut decoder, &mut back).expect("gzip");
        assert_eq!(back, plain);
    }
}
