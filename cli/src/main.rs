//! `couponcodes`: upload, list, reconcile, get and delete WeChat Pay
//! merchant-coupon pre-stored codes (商家券预存code) from the command line.

use std::future::Future;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use couponcodes::config::Settings;
use couponcodes::export::{self, ListArgs, ReconcileArgs};
use couponcodes::upload::{self, UploadArgs};
use couponcodes::{Failure, explain};
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::coupon_code::{
    DeleteCouponCodeQuery, GetCouponCodeQuery,
};
use wechatpay_runtime::schema::{EnumCheck, SchemaValidator};
use wechatpay_runtime::{Client, ClientBuilder};

/// Upload, list, reconcile, get and delete WeChat Pay merchant-coupon pre-stored
/// codes, and receive the notifications that say which code went to which user.
///
/// Credentials come from flags, then WECHATPAY_* environment variables, then an
/// optional --config file. Add --sandbox to run a command against a local
/// WeChat Pay with no credentials at all, or run `couponcodes demo` to see the
/// whole flow.
#[derive(Parser)]
#[command(name = "couponcodes", version, after_help = EXAMPLES)]
struct Cli {
    /// Run against an in-process sandbox instead of WeChat Pay (no credentials
    /// needed); also accepted after the command.
    #[cfg(feature = "sandbox")]
    #[arg(long)]
    sandbox: bool,
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  couponcodes demo
  couponcodes --sandbox upload --stock-id 98065001 codes.txt
  couponcodes upload --stock-id 1212000000 codes.txt --json > report.json
  couponcodes reconcile --stock-id 1212000000 codes.txt
  couponcodes list --stock-id 1212000000 --format csv --output export.csv
  couponcodes get --stock-id 1212000000 ABC9588200
  couponcodes delete --stock-id 1212000000 ABC9588200
  couponcodes events serve --out events.jsonl --register https://pay.example.com/notify
  couponcodes validate upload_coupon_codes.body payload.json
  couponcodes sandbox --addr 127.0.0.1:8080

Environment: WECHATPAY_* settings (see each command's --help), COUPONCODES_CONFIG
(a TOML file of them), and COUPONCODES_LOG, a tracing filter for diagnostics on
standard error (e.g. COUPONCODES_LOG=wechatpay_runtime=debug shows every request
and retry).";

/// Where a command sends its requests.
#[derive(Args, Clone)]
#[command(next_help_heading = "Connection")]
struct Connection {
    /// Run against an in-process sandbox instead of WeChat Pay (no credentials needed).
    #[cfg(feature = "sandbox")]
    #[arg(long)]
    sandbox: bool,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Upload a file of codes (one per line) in chunks of 200; resumable.
    ///
    /// Every line is checked first and bad lines are reported with their line
    /// numbers; nothing is sent until they are fixed (or --skip-invalid). Progress
    /// shows on a terminal. If the run stops (Ctrl-C, a crash, a network cut), the
    /// same command resumes it: chunks already answered by the same server are not
    /// sent again, and the others repeat their request numbers, so no code is
    /// imported twice. The summary puts every line in one bucket; the exit status
    /// is 0 only when every code ended uploaded or already present, 2 when the
    /// input must be fixed first.
    Upload {
        #[command(flatten)]
        args: UploadArgs,
        #[command(flatten)]
        connection: Connection,
    },
    /// Print every code of a stock, several pages at a time, in order.
    List {
        #[command(flatten)]
        args: ListArgs,
        #[command(flatten)]
        connection: Connection,
    },
    /// Compare a file of codes with what WeChat Pay holds for the stock.
    ///
    /// Lists codes of the file that WeChat Pay lacks and codes WeChat Pay holds
    /// that the file does not have; exits 0 only when they match.
    Reconcile {
        #[command(flatten)]
        args: ReconcileArgs,
        #[command(flatten)]
        connection: Connection,
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
        #[command(flatten)]
        connection: Connection,
    },
    /// Delete one code that was not dispatched yet.
    Delete {
        /// The stock (批次号).
        #[arg(long)]
        stock_id: String,
        /// The code.
        code: String,
        /// Request number: new for every run by default; give the one a run printed
        /// to repeat that very delete safely (after a timeout, say).
        #[arg(long)]
        request_no: Option<String>,
        #[command(flatten)]
        connection: Connection,
    },
    /// Receive WeChat Pay's notifications (COUPON.SEND: which code went to
    /// which user).
    Events {
        #[command(subcommand)]
        command: EventsCommand,
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
    #[cfg(feature = "sandbox")]
    Sandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Where to write the generated keys (each instance in a folder of its own).
        #[arg(long, default_value = ".wechatpay-sandbox")]
        dir: std::path::PathBuf,
        /// Sign answers with a platform certificate instead of the WeChat Pay
        /// public key, and print no public key: clients then fetch
        /// /v3/certificates with the APIv3 key, as merchants without a public
        /// key do.
        #[arg(long)]
        certificate_mode: bool,
        #[command(flatten)]
        faults: wechatpay_sandbox::FaultArgs,
    },
    /// The whole flow against an embedded sandbox: upload a file of codes, export
    /// what WeChat Pay holds, look one up, delete one.
    #[cfg(feature = "sandbox")]
    Demo {
        /// How many sample codes to upload.
        #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
        codes: u64,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Serve the notify URL: verify and decrypt every notification, write each
    /// event once (by id) to a JSON-lines file, fsynced before it is
    /// acknowledged. Needs the APIv3 key in either key mode.
    Serve {
        #[command(flatten)]
        args: couponcodes::events::ServeArgs,
        #[command(flatten)]
        connection: Connection,
    },
}

/// Runs `job` with a client builder for the chosen server: the in-process
/// sandbox, or WeChat Pay with the configured credentials.
async fn with_client<F, Fut, E>(
    sandbox: bool,
    connection: &Connection,
    job: F,
) -> Result<ExitCode, Failure>
where
    F: FnOnce(ClientBuilder) -> Fut,
    Fut: Future<Output = Result<ExitCode, E>>,
    Failure: From<E>,
{
    #[cfg(feature = "sandbox")]
    if sandbox || connection.sandbox {
        let sandbox =
            wechatpay_sandbox::Sandbox::start(wechatpay_sandbox::SandboxConfig::default())
                .await
                .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        eprintln!("(using an in-process sandbox at {})", sandbox.base_url());
        return Ok(job(sandbox.client_builder()).await?);
    }
    let _ = sandbox;
    let builder = connection
        .settings
        .client_builder()
        .map_err(Failure::Input)?;
    Ok(job(builder).await?)
}

/// Makes `url` the merchant-coupon notify URL.
async fn register_notify_url(client: &wechatpay_runtime::Client, url: &str) -> Result<(), String> {
    client
        .request(
            wechatpay_runtime::Method::POST,
            "/v3/marketing/busifavor/callbacks",
        )
        .json(&serde_json::json!({"mchid": client.mchid(), "notify_url": url}))
        .idempotent(true)
        .send()
        .await
        .map_err(|e| format!("cannot set the notify URL: {}", explain(&e)))?;
    eprintln!("notify URL set to {url}");
    Ok(())
}

async fn interrupted() {
    // Without a signal handler there is nothing to wait for.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A delete request number for this run: unique, so that a delete after the
/// code was uploaded again is a new request, not a replay of an old answer.
fn fresh_request_no(stock_id: &str, code: &str) -> String {
    let token = couponcodes::unique_token(&format!("{stock_id}\n{code}"));
    format!("del{}", &token[..29])
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    #[cfg(feature = "sandbox")]
    let sandbox = cli.sandbox;
    #[cfg(not(feature = "sandbox"))]
    let sandbox = false;
    match cli.command {
        Command::Upload { args, connection } => {
            // An in-process sandbox ends with the run, and so does what a journal
            // of it could resume: keep it out of the merchant's folder.
            #[cfg(feature = "sandbox")]
            let mut args = args;
            #[cfg(feature = "sandbox")]
            let _scratch = if (sandbox || connection.sandbox) && args.journal.is_none() {
                let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
                args.journal = Some(scratch.path().join("sandbox.journal"));
                Some(scratch)
            } else {
                None
            };
            with_client(sandbox, &connection, |builder| {
                upload::run(builder, args, interrupted())
            })
            .await
        }
        Command::List { args, connection } => {
            with_client(sandbox, &connection, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                export::list(&client, args).await
            })
            .await
        }
        Command::Reconcile { args, connection } => {
            with_client(sandbox, &connection, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                export::reconcile(&client, args).await
            })
            .await
        }
        Command::Get {
            stock_id,
            code,
            appid,
            connection,
        } => {
            with_client(sandbox, &connection, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                get_code(&client, stock_id, code, appid).await
            })
            .await
        }
        Command::Delete {
            stock_id,
            code,
            request_no,
            connection,
        } => {
            with_client(sandbox, &connection, |builder| async move {
                let client = builder.build().map_err(|e| explain(&e))?;
                delete_code(&client, stock_id, code, request_no).await
            })
            .await
        }
        Command::Events {
            command: EventsCommand::Serve { args, connection },
        } => {
            #[cfg(feature = "sandbox")]
            if sandbox || connection.sandbox {
                return Ok(demo::events_on_sandbox(args).await?);
            }
            let _ = sandbox;
            serve_events(args, connection).await
        }
        Command::Validate {
            kind,
            file,
            strict,
            list,
        } => validate(kind, file, strict, list),
        #[cfg(feature = "sandbox")]
        Command::Sandbox {
            addr,
            dir,
            certificate_mode,
            faults,
        } => Ok(run_sandbox(addr, dir, certificate_mode, faults).await?),
        #[cfg(feature = "sandbox")]
        Command::Demo { codes } => Ok(demo::run(codes).await?),
    }
}

/// `get`: one code's state, as WeChat Pay answers it.
async fn get_code(
    client: &Client,
    stock_id: String,
    code: String,
    appid: Option<String>,
) -> Result<ExitCode, String> {
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
}

/// `delete`: one code, under a fresh request number unless one is given,
/// and then checked gone when it was (a used number is answered again).
async fn delete_code(
    client: &Client,
    stock_id: String,
    code: String,
    request_no: Option<String>,
) -> Result<ExitCode, Failure> {
    let given = request_no.is_some();
    let request_no = request_no.unwrap_or_else(|| fresh_request_no(&stock_id, &code));
    eprintln!(
        "delete request number {request_no} (to repeat this very delete, pass --request-no {request_no})"
    );
    let deleted = client
        .delete_coupon_code(
            stock_id.clone(),
            code.clone(),
            DeleteCouponCodeQuery::new(request_no.clone()),
        )
        .await
        .map_err(|e| Failure::Run(explain(&e)))?;
    // A request number WeChat Pay already answered is answered
    // again, whatever the code: check that this one is gone.
    if given {
        let lookup = client
            .get_coupon_code(stock_id.clone(), code.clone(), GetCouponCodeQuery::new())
            .await;
        match lookup {
            Ok(_) => {
                return Err(Failure::Input(format!(
                    "{code} is still in stock {stock_id}: the request number {request_no} was used before for another delete, and WeChat Pay answered that one again; run the delete without --request-no"
                )));
            }
            Err(error) if error.status().is_some_and(|s| s.as_u16() == 404) => {}
            Err(error) => eprintln!(
                "warning: could not check that {code} is gone: {}",
                explain(&error)
            ),
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&deleted).map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

/// `events serve` against WeChat Pay (or a sandbox run apart): verify,
/// decrypt and record every notification until interrupted.
async fn serve_events(
    args: couponcodes::events::ServeArgs,
    connection: Connection,
) -> Result<ExitCode, Failure> {
    let client = connection
        .settings
        .client_builder()
        .map_err(Failure::Input)?
        .build()
        .map_err(|e| explain(&e))?;
    let parser = connection
        .settings
        .notification_parser(&client)
        .map_err(Failure::Input)?;
    if let Some(url) = &args.register {
        register_notify_url(&client, url).await?;
    }
    let listener = couponcodes::events::bind(&args).await?;
    Ok(couponcodes::events::serve(parser, listener, &args.out, interrupted()).await?)
}

/// `sandbox`: a local WeChat Pay until interrupted, and the environment a
/// client needs to talk to it.
#[cfg(feature = "sandbox")]
async fn run_sandbox(
    addr: std::net::SocketAddr,
    dir: std::path::PathBuf,
    certificate_mode: bool,
    faults: wechatpay_sandbox::FaultArgs,
) -> Result<ExitCode, String> {
    let sandbox = wechatpay_sandbox::Sandbox::start(wechatpay_sandbox::SandboxConfig {
        addr,
        signing: if certificate_mode {
            wechatpay_sandbox::SigningMode::PlatformCertificate
        } else {
            wechatpay_sandbox::SigningMode::PublicKey
        },
        faults: faults.plan(),
        ..wechatpay_sandbox::SandboxConfig::default()
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
    println!(
        "# Every documented operation answers with its page's example. To rehearse a\n\
         # notification receiver (couponcodes events serve, or yours), send it any event\n\
         # type of the docs (GET {0}/sandbox/events lists them):\n\
         #   curl -X POST {0}/sandbox/notify -d '{{\"event_type\": \"TRANSACTION.SUCCESS\", \"url\": \"http://127.0.0.1:8787/\", \"resource\": {{\"out_trade_no\": \"ORDER-1\"}}}}'",
        sandbox.base_url()
    );
    interrupted().await;
    Ok(ExitCode::SUCCESS)
}

fn validate(
    kind: Option<String>,
    file: Option<String>,
    strict: bool,
    list: bool,
) -> Result<ExitCode, Failure> {
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
        return Err(Failure::Input(format!(
            "unknown payload kind {kind:?}; one of: {}",
            names.join(", ")
        )));
    };
    let text = if file == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::Input(format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(&file)
            .map_err(|e| Failure::Input(format!("cannot read {file}: {e}")))?
    };
    let payload: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("{file}: not JSON: {e}")))?;
    let validator = SchemaValidator::new(schema.as_value()).map_err(|e| e.to_string())?;
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

#[cfg(feature = "sandbox")]
mod demo;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("COUPONCODES_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A run that asked for a JSON report gets one, failure or not.
    let json = match &cli.command {
        Command::Upload { args, .. } => args.json,
        Command::Reconcile { args, .. } => args.json,
        _ => false,
    };
    match run(cli).await {
        Ok(code) => code,
        Err(failure) => {
            couponcodes::say_failure(&failure, json);
            ExitCode::from(failure.status())
        }
    }
}
