//! The `couponcodes` command's parts, as a library so that tests can run them
//! in-process (the binary is `src/main.rs`).

pub mod config;
pub mod export;
pub mod input;
pub mod journal;
pub mod upload;

use wechatpay_runtime::Error;

/// A person-readable account of an error: what happened, what WeChat Pay said,
/// and whether retrying can help.
pub fn explain(error: &Error) -> String {
    let retry = if error.is_retryable() {
        "retrying may help"
    } else {
        "retrying will not help"
    };
    match error {
        // WeChat Pay's own words already say whether retrying may help.
        Error::Api(api) => {
            let mut text = api.to_string();
            if let Some(detail) = &api.detail {
                text.push_str(&format!(" (detail: {detail})"));
            }
            if !api.is_retryable() {
                text.push_str("; retrying will not help");
            }
            text
        }
        Error::Validation(errors) => {
            format!("not sent, the request breaks documented limits: {errors}")
        }
        other => format!("{other}; {retry}"),
    }
}
