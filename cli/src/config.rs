//! Settings from flags, environment variables and an optional config file, in
//! that order of priority. Secrets are never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde::Deserialize;
use wechatpay_runtime::verify::PlatformCertificates;
use wechatpay_runtime::{ClientBuilder, MerchantCredentials, PrivateKey, PublicKey, RetryPolicy};

/// Connection settings; each can also come from the environment or the config file.
#[derive(Args, Clone, Default)]
pub struct Settings {
    /// TOML file with any of the settings below (keys: base_url, mchid,
    /// mch_serial, private_key, public_key_id, public_key, apiv3_key).
    #[arg(long, env = "COUPONCODES_CONFIG")]
    pub config: Option<PathBuf>,
    /// WeChat Pay host [default: https://api.mch.weixin.qq.com].
    #[arg(long, env = "WECHATPAY_BASE_URL")]
    pub base_url: Option<String>,
    /// Merchant id.
    #[arg(long, env = "WECHATPAY_MCHID")]
    pub mchid: Option<String>,
    /// Serial number of the merchant API certificate.
    #[arg(long, env = "WECHATPAY_MCH_SERIAL")]
    pub mch_serial: Option<String>,
    /// Path to the merchant API private key (PKCS#8 PEM, `apiclient_key.pem`).
    #[arg(long, env = "WECHATPAY_PRIVATE_KEY")]
    pub private_key: Option<PathBuf>,
    /// WeChat Pay public key id (`PUB_KEY_ID_...`), with --public-key.
    #[arg(long, env = "WECHATPAY_PUBLIC_KEY_ID")]
    pub public_key_id: Option<String>,
    /// Path to the WeChat Pay public key PEM, with --public-key-id.
    #[arg(long, env = "WECHATPAY_PUBLIC_KEY")]
    pub public_key: Option<PathBuf>,
    /// APIv3 key, for platform-certificate mode (never printed).
    #[arg(long, env = "WECHATPAY_APIV3_KEY", hide_env_values = true)]
    pub apiv3_key: Option<String>,
    /// Seconds to wait for one answer (above 0, at most 3600).
    #[arg(long, default_value_t = 10.0, value_parser = crate::flags::seconds)]
    pub timeout: f64,
}

// By hand, so that the APIv3 key never reaches a log or a panic message.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("config", &self.config)
            .field("base_url", &self.base_url)
            .field("mchid", &self.mchid)
            .field("mch_serial", &self.mch_serial)
            .field("private_key", &self.private_key)
            .field("public_key_id", &self.public_key_id)
            .field("public_key", &self.public_key)
            .field("apiv3_key", &self.apiv3_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A TOML error as it may be shown: where, and what kind of mistake, but never
/// the text of the file (which holds the APIv3 key) nor a value quoted from it.
fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> String {
    let place = error
        .span()
        .map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(" at line {line}, column {column}")
        })
        .unwrap_or_default();
    // Key names are not secret, and the one that is wrong is what to fix.
    if error.message().starts_with("unknown field") {
        return format!(
            "config file {}{place}: {}",
            path.display(),
            error.message().trim()
        );
    }
    let mut message = String::new();
    let mut quoted = None;
    for c in error.message().chars() {
        match quoted {
            Some(end) if c == end => {
                message.push_str("...");
                message.push(c);
                quoted = None;
            }
            Some(_) => {}
            None => {
                message.push(c);
                if c == '`' || c == '"' || c == '\'' {
                    quoted = Some(c);
                }
            }
        }
    }
    format!("config file {}{place}: {}", path.display(), message.trim())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    base_url: Option<String>,
    mchid: Option<String>,
    mch_serial: Option<String>,
    private_key: Option<PathBuf>,
    public_key_id: Option<String>,
    public_key: Option<PathBuf>,
    apiv3_key: Option<String>,
}

fn missing(what: &str, flag: &str, env: &str, key: &str) -> String {
    format!(
        "missing setting: {what} (give --{flag}, set {env}, or put `{key}` in the --config file)"
    )
}

impl Settings {
    /// Fills what flags and the environment left unset from the config file.
    fn merged(&self) -> Result<Settings, String> {
        let mut merged = self.clone();
        let Some(path) = &self.config else {
            return Ok(merged);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
        let file: FileSettings = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let relative = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
        merged.base_url = merged.base_url.or(file.base_url);
        merged.mchid = merged.mchid.or(file.mchid);
        merged.mch_serial = merged.mch_serial.or(file.mch_serial);
        merged.private_key = merged.private_key.or(file.private_key.map(relative));
        merged.public_key_id = merged.public_key_id.or(file.public_key_id);
        merged.public_key = merged.public_key.or(file.public_key.map(relative));
        merged.apiv3_key = merged.apiv3_key.or(file.apiv3_key);
        Ok(merged)
    }

    /// What verifies and decrypts notifications: `client`'s keys and the
    /// APIv3 key, which notifications need in either key mode.
    pub fn notification_parser(
        &self,
        client: &wechatpay_runtime::Client,
    ) -> Result<wechatpay_runtime::notify::NotificationParser, String> {
        let settings = self.merged()?;
        let key = settings.apiv3_key.ok_or_else(|| {
            missing(
                "the APIv3 key (notifications are encrypted with it)",
                "apiv3-key",
                "WECHATPAY_APIV3_KEY",
                "apiv3_key",
            )
        })?;
        wechatpay_runtime::notify::NotificationParser::for_client(client, key.as_bytes())
            .map_err(|e| e.to_string())
    }

    /// A client builder, or a message naming every missing setting.
    pub fn client_builder(&self) -> Result<ClientBuilder, String> {
        let settings = self.merged()?;
        let mut problems = Vec::new();
        if settings.mchid.is_none() {
            problems.push(missing("merchant id", "mchid", "WECHATPAY_MCHID", "mchid"));
        }
        if settings.mch_serial.is_none() {
            problems.push(missing(
                "merchant certificate serial",
                "mch-serial",
                "WECHATPAY_MCH_SERIAL",
                "mch_serial",
            ));
        }
        if settings.private_key.is_none() {
            problems.push(missing(
                "merchant private key file",
                "private-key",
                "WECHATPAY_PRIVATE_KEY",
                "private_key",
            ));
        }
        let public_key_mode = settings.public_key_id.is_some() || settings.public_key.is_some();
        if public_key_mode && (settings.public_key_id.is_none() || settings.public_key.is_none()) {
            problems.push(
                "WeChat Pay public key mode needs both --public-key-id (WECHATPAY_PUBLIC_KEY_ID) and --public-key (WECHATPAY_PUBLIC_KEY)".to_owned(),
            );
        }
        if !public_key_mode && settings.apiv3_key.is_none() {
            problems.push(
                "missing setting: a way to verify WeChat Pay's answers: --public-key-id with --public-key (public key mode), or --apiv3-key (platform certificate mode)".to_owned(),
            );
        }
        if !problems.is_empty() {
            return Err(problems.join("\n"));
        }
        let key_path = settings.private_key.clone().unwrap_or_default();
        let key = PrivateKey::from_pem_file(&key_path).map_err(|e| e.to_string())?;
        let mut builder = wechatpay_runtime::Client::builder()
            .merchant(MerchantCredentials {
                mchid: settings.mchid.clone().unwrap_or_default(),
                serial: settings.mch_serial.clone().unwrap_or_default(),
                key,
            })
            .timeout(Duration::try_from_secs_f64(self.timeout).map_err(|_| {
                format!(
                    "--timeout {} is not a number of seconds a run can wait",
                    self.timeout
                )
            })?)
            .retry(RetryPolicy::default());
        if let Some(url) = &settings.base_url {
            builder = builder.base_url(url.clone());
        }
        if let (Some(id), Some(path)) = (&settings.public_key_id, &settings.public_key) {
            let key = PublicKey::from_pem_file(path).map_err(|e| e.to_string())?;
            builder = builder.wechatpay_public_key(id.clone(), key);
        }
        if let Some(apiv3) = &settings.apiv3_key {
            let certificates =
                PlatformCertificates::new(apiv3.as_bytes().to_vec()).map_err(|e| e.to_string())?;
            builder = builder.platform_certificates(certificates);
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_setting_is_named() {
        let error = Settings::default().client_builder().unwrap_err();
        for name in [
            "WECHATPAY_MCHID",
            "WECHATPAY_MCH_SERIAL",
            "WECHATPAY_PRIVATE_KEY",
            "--apiv3-key",
        ] {
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn the_config_file_fills_the_gaps_and_flags_win() {
        let dir = std::env::temp_dir().join(format!("couponcodes-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "mchid = \"from-file\"\nmch_serial = \"S\"\nprivate_key = \"key.pem\"\n",
        )
        .unwrap();
        let settings = Settings {
            config: Some(file),
            mchid: Some("from-flag".into()),
            ..Settings::default()
        };
        let merged = settings.merged().unwrap();
        assert_eq!(merged.mchid.as_deref(), Some("from-flag"));
        assert_eq!(merged.mch_serial.as_deref(), Some("S"));
        assert_eq!(merged.private_key, Some(dir.join("key.pem")));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unknown_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "mchid = \"1\"\napiv3key = \"S3CRET\"\n").unwrap();
        let settings = Settings {
            config: Some(file),
            ..Settings::default()
        };
        let error = settings.merged().unwrap_err();
        assert!(error.contains("`apiv3key`"), "{error}");
        assert!(error.contains("line 2"), "{error}");
        assert!(!error.contains("S3CRET"), "{error}");
    }

    #[test]
    fn config_errors_never_show_the_apiv3_key() {
        let dir = tempfile::tempdir().unwrap();
        let secret = "S3CRETapiv3keyS3CRETapiv3keyS3CR";
        for text in [
            format!("mchid = \"1\"\napiv3_key = \"{secret}\" x\n"),
            format!("apiv3_key = {secret}\n"),
            format!("apiv3_key = [\"{secret}\"]\n"),
            format!("apiv3_key = \"{secret}\"\napiv3_key = \"{secret}\"\n"),
        ] {
            let file = dir.path().join("c.toml");
            std::fs::write(&file, &text).unwrap();
            let settings = Settings {
                config: Some(file),
                ..Settings::default()
            };
            let error = settings.merged().unwrap_err();
            assert!(!error.contains("S3CRET"), "{error}");
            assert!(error.contains("line "), "{error}");
        }
        let settings = Settings {
            apiv3_key: Some(secret.into()),
            ..Settings::default()
        };
        assert!(!format!("{settings:?}").contains("S3CRET"));
    }
}
