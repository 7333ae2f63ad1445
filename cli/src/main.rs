//! `couponcodes`: upload, list, get and delete WeChat Pay merchant-coupon
//! pre-stored codes (商家券预存code) from the command line.

mod config;
mod upload;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use futures_util::StreamExt;
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::couponcodes::{
    DeleteCouponCodeQuery, GetCouponCodeQuery, ListCouponCodesQuery, list_all,
};
use wechatpay_runtime::schema::{EnumCheck, SchemaValidator};
use wechatpay_runtime::{ClientBuilder, Error};
use wechatpay_sandbox::{Sandbox, SandboxConfig};

/// Upload, list, get and delete WeChat Pay merchant-coupon pre-stored codes.
///
/// Credentials come from flags, then WECHATPAY_* environment variables, then an
/// optional --config file. Add --sandbox to any command to run it against a local
/// WeChat Pay with no credentials at all, or run `couponcodes demo` to see the
/// whole flow.
#[derive(Parser)]
#[command(name = "couponcodes", version, after_help = EXAMPLES)]
struct Cli {
    /// Run against an in-process sandbox instead of WeChat Pay (no credentials needed).
    #[arg(long, global = true)]
    sandbox: bool,
    #[command(flatten)]
    settings: config::Settings,
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  couponcodes demo
  couponcodes --sandbox upload --stock-id 98065001 codes.txt
  couponcodes upload --stock-id 1212000000 codes.txt --json > report.json
  couponcodes list --stock-id 1212000000 --format csv > export.csv
  couponcodes get --stock-id 1212000000 ABC9588200
  couponcodes delete --stock-id 1212000000 ABC9588200
  couponcodes validate upload_coupon_codes.body payload.json
  couponcodes sandbox --addr 127.0.0.1:8080";

#[derive(Subcommand)]
enum Command {
    /// Upload a file of codes (one per line) in chunks of 200; resumable.
    ///
    /// Every line is checked first and bad lines are reported with their line
    /// numbers. Progress shows on a terminal. If the run stops (Ctrl-C, a crash, a
    /// network cut), the same command resumes it: chunks already answered are not
    /// sent again, and the others repeat their request numbers, so no code is
    /// imported twice. Exits 0 only when every code ended uploaded or already present.
    Upload(upload::UploadArgs),
    /// Print every code of a stock, page after page, as it arrives.
    List {
        /// The stock (批次号).
        #[arg(long)]
        stock_id: String,
        /// Only codes in this state (AVAILABLE, DISPATCHED, ...).
        #[arg(long)]
        status: Option<String>,
        /// Only codes dispatched through this appid.
        #[arg(long)]
        appid: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Codes per request.
        #[arg(long, default_value_t = 100)]
        page_size: i64,
    },
    /// Show one code.
    Get {
        /// The stock (批次号).
        #[arg(long)]
        stock_id: String,
        /// The code.
        code: String,
        /// The appid the code was dispatched through.
        #[arg(long)]
        appid: Option<String>,
    },
    /// Delete one code that was not dispatched yet.
    Delete {
        /// The stock (批次号).
        #[arg(long)]
        stock_id: String,
        /// The code.
        code: String,
        /// Request number (default: derived from stock and code, so a rerun is safe).
        #[arg(long)]
        request_no: Option<String>,
    },
    /// Check a JSON payload against the generated JSON Schema.
    Validate {
        /// Which payload, e.g. `upload_coupon_codes.body`; `--list` shows them all.
        #[arg(required_unless_present = "list")]
        kind: Option<String>,
        /// The JSON file (`-` for standard input).
        #[arg(required_unless_present = "list")]
        file: Option<String>,
        /// Reject enum values the docs do not list (WeChat Pay may add some).
        #[arg(long)]
        strict: bool,
        /// List the payload kinds.
        #[arg(long)]
        list: bool,
    },
    /// Run the local sandbox and print the environment a client needs.
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Where to write the generated keys.
        #[arg(long, default_value = ".wechatpay-sandbox")]
        dir: PathBuf,
    },
    /// The whole flow against an embedded sandbox: upload a file of codes, export
    /// what WeChat Pay holds, look one up, delete one.
    Demo {
        /// How many sample codes to upload.
        #[arg(long, default_value_t = 20_000)]
        codes: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Jsonl,
    Csv,
}

/// A person-readable account of an error: what happened, what WeChat Pay said,
/// and whether retrying can help.
pub(crate) fn explain(error: &Error) -> String {
    let retry = if error.is_retryable() {
        "retrying may help"
    } else {
        "retrying will not help"
    };
    match error {
        Error::Api(api) => {
            let mut text = format!("WeChat Pay answered {}", api.status);
            if let Some(code) = &api.code {
                text.push_str(&format!(" {code}"));
            }
            if let Some(message) = &api.message {
                text.push_str(&format!(": {message}"));
            }
            if let Some(detail) = &api.detail {
                text.push_str(&format!(" (detail: {detail})"));
            }
            if let Some(id) = &api.request_id {
                text.push_str(&format!("; Request-ID {id}"));
            }
            format!("{text}; {retry}")
        }
        Error::Validation(errors) => {
            format!("not sent, the request breaks documented limits: {errors}")
        }
        other => format!("{other}; {retry}"),
    }
}

async fn with_client<F, Fut>(
    cli_sandbox: bool,
    settings: &config::Settings,
    job: F,
) -> Result<ExitCode, String>
where
    F: FnOnce(ClientBuilder) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode, String>>,
{
    if cli_sandbox {
        let sandbox = Sandbox::start(SandboxConfig::default())
            .await
            .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        eprintln!("(using an in-process sandbox at {})", sandbox.base_url());
        let result = job(sandbox.client_builder()).await;
        drop(sandbox);
        result
    } else {
        job(settings.client_builder()?).await
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let settings = cli.settings.clone();
    match cli.command {
        Command::Upload(args) => {
            with_client(cli.sandbox, &settings, |b| upload::run(b, args)).await
        }
        Command::List {
            stock_id,
            status,
            appid,
            format,
            page_size,
        } => {
            with_client(cli.sandbox, &settings, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                let mut query = ListCouponCodesQuery::new().with_limit(page_size);
                if let Some(status) = status {
                    query = query.with_status(status.as_str().into());
                }
                if let Some(appid) = appid {
                    query = query.with_appid(appid);
                }
                let mut codes = std::pin::pin!(list_all(&client, stock_id, query));
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                let write = |out: &mut dyn Write, text: String| {
                    writeln!(out, "{text}").map_err(|e| e.to_string())
                };
                match format {
                    Format::Table => write(
                        &mut out,
                        format!(
                            "{:<34} {:<12} {:<26} {}",
                            "CODE", "STATUS", "UPLOADED", "DISPATCHED"
                        ),
                    )?,
                    Format::Csv => write(
                        &mut out,
                        "code,code_status,upload_time,dispatched_time,openid".into(),
                    )?,
                    Format::Jsonl => {}
                }
                let mut count = 0u64;
                while let Some(item) = codes.next().await {
                    let item = item.map_err(|e| explain(&e))?;
                    count += 1;
                    let code = item.code.clone().unwrap_or_default();
                    let status = item
                        .code_status
                        .as_ref()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default();
                    let uploaded = item.upload_time.clone().unwrap_or_default();
                    let dispatched = item.dispatched_time.clone().unwrap_or_default();
                    let line = match format {
                        Format::Table => {
                            format!("{code:<34} {status:<12} {uploaded:<26} {dispatched}")
                        }
                        Format::Jsonl => serde_json::to_string(&item).map_err(|e| e.to_string())?,
                        Format::Csv => [
                            code,
                            status,
                            uploaded,
                            dispatched,
                            item.openid.clone().unwrap_or_default(),
                        ]
                        .iter()
                        .map(|f| csv_field(f))
                        .collect::<Vec<_>>()
                        .join(","),
                    };
                    write(&mut out, line)?;
                    if count.is_multiple_of(1000) {
                        out.flush().map_err(|e| e.to_string())?;
                    }
                }
                out.flush().map_err(|e| e.to_string())?;
                eprintln!("{count} codes");
                Ok(ExitCode::SUCCESS)
            })
            .await
        }
        Command::Get {
            stock_id,
            code,
            appid,
        } => {
            with_client(cli.sandbox, &settings, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                let mut query = GetCouponCodeQuery::new();
                if let Some(appid) = appid {
                    query = query.with_appid(appid);
                }
                let found = client
                    .get_coupon_code(stock_id, code, query)
                    .await
                    .map_err(|e| explain(&e))?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&found).map_err(|e| e.to_string())?
                );
                Ok(ExitCode::SUCCESS)
            })
            .await
        }
        Command::Delete {
            stock_id,
            code,
            request_no,
        } => {
            with_client(cli.sandbox, &settings, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                let request_no = request_no.unwrap_or_else(|| {
                    use sha2::Digest;
                    let digest = sha2::Sha256::digest(format!("{stock_id}\n{code}").as_bytes());
                    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
                    format!("del{hex}")
                });
                let deleted = client
                    .delete_coupon_code(stock_id, code, DeleteCouponCodeQuery::new(request_no))
                    .await
                    .map_err(|e| explain(&e))?;
                println!(
                    "{}",
                    serde_json::to_string_pretty(&deleted).map_err(|e| e.to_string())?
                );
                Ok(ExitCode::SUCCESS)
            })
            .await
        }
        Command::Validate {
            kind,
            file,
            strict,
            list,
        } => validate(kind, file, strict, list),
        Command::Sandbox { addr, dir } => {
            let sandbox = Sandbox::start(SandboxConfig {
                addr,
                ..SandboxConfig::default()
            })
            .await
            .map_err(|e| format!("cannot start the sandbox on {addr}: {e}"))?;
            println!(
                "# WeChat Pay sandbox on {} (Ctrl-C stops it). In another shell:",
                sandbox.base_url()
            );
            for (name, value) in sandbox.environment(&dir).map_err(|e| e.to_string())? {
                println!("export {name}={value}");
            }
            println!(
                "# then e.g.: couponcodes upload --stock-id {} codes.txt",
                wechatpay_sandbox::DEFAULT_STOCK
            );
            tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { codes } => demo(codes).await,
    }
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn validate(
    kind: Option<String>,
    file: Option<String>,
    strict: bool,
    list: bool,
) -> Result<ExitCode, String> {
    let schemas = wechatpay_bindings::json_schemas();
    if list {
        for (name, _) in &schemas {
            println!("{name}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let kind = kind.unwrap_or_default();
    let file = file.unwrap_or_default();
    let Some((_, schema)) = schemas.iter().find(|(name, _)| *name == kind) else {
        let names: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "unknown payload kind {kind:?}; one of: {}",
            names.join(", ")
        ));
    };
    let text = if file == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| e.to_string())?;
        text
    } else {
        std::fs::read_to_string(&file).map_err(|e| format!("cannot read {file}: {e}"))?
    };
    let payload: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
    let validator = SchemaValidator::new(schema.as_value())?;
    let check = if strict {
        EnumCheck::Strict
    } else {
        EnumCheck::Open
    };
    match validator.validate(&payload, check) {
        Ok(()) => {
            println!("{file}: valid {kind}");
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for error in &errors.0 {
                let pointer = if error.pointer.is_empty() {
                    "/"
                } else {
                    &error.pointer
                };
                println!("{file}: {pointer}: {}", error.message);
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn demo(count: u64) -> Result<ExitCode, String> {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let stock = wechatpay_sandbox::DEFAULT_STOCK;
    let dir = std::env::temp_dir().join(format!("couponcodes-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("codes.txt");
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!("DEMO{i:08}\n"));
    }
    std::fs::write(&file, &text).map_err(|e| e.to_string())?;
    println!(
        "== WeChat Pay sandbox at {} (stock {stock}), {count} codes in {}",
        sandbox.base_url(),
        file.display()
    );
    println!("\n== 1. upload (chunks of 200, resumable; a rerun would skip what is done)");
    let args = upload::UploadArgs {
        stock_id: stock.to_owned(),
        input: file.display().to_string(),
        skip_invalid: false,
        concurrency: 4,
        rate: None,
        batch_id: None,
        journal: Some(dir.join("codes.journal")),
        json: false,
    };
    let status = upload::run(sandbox.client_builder(), args).await?;
    let client = sandbox.client_builder().build().map_err(|e| explain(&e))?;
    println!("\n== 2. export what WeChat Pay holds (the first 3 shown)");
    let mut listed = 0u64;
    let mut codes = std::pin::pin!(list_all(
        &client,
        stock,
        ListCouponCodesQuery::new().with_limit(100)
    ));
    while let Some(item) = codes.next().await {
        let item = item.map_err(|e| explain(&e))?;
        if listed < 3 {
            println!(
                "{:<16} {:<10} {}",
                item.code.unwrap_or_default(),
                item.code_status.map(|s| s.to_string()).unwrap_or_default(),
                item.upload_time.unwrap_or_default()
            );
        }
        listed += 1;
    }
    println!("... {listed} codes exported");
    println!("\n== 3. one code");
    let one = client
        .get_coupon_code(stock, "DEMO00000000", GetCouponCodeQuery::new())
        .await
        .map_err(|e| explain(&e))?;
    println!(
        "{}",
        serde_json::to_string(&one.code_information).map_err(|e| e.to_string())?
    );
    println!("\n== 4. delete it");
    let deleted = client
        .delete_coupon_code(
            stock,
            "DEMO00000000",
            DeleteCouponCodeQuery::new("demo-delete-1"),
        )
        .await
        .map_err(|e| explain(&e))?;
    println!(
        "{}",
        serde_json::to_string(&deleted).map_err(|e| e.to_string())?
    );
    println!(
        "\n== Against the real API: set WECHATPAY_MCHID, WECHATPAY_MCH_SERIAL, WECHATPAY_PRIVATE_KEY and"
    );
    println!(
        "   WECHATPAY_PUBLIC_KEY_ID + WECHATPAY_PUBLIC_KEY (or WECHATPAY_APIV3_KEY), then e.g."
    );
    println!("   couponcodes upload --stock-id <your stock> codes.txt");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(status)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("COUPONCODES_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
