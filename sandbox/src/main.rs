//! `wechatpay-sandbox`: run the local WeChat Pay on a loopback address and print
//! the environment a client needs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use wechatpay_sandbox::{Fault, FaultPlan, Sandbox, SandboxConfig, SigningMode};

/// A local WeChat Pay for the pre-stored code endpoints.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Where to write the generated keys.
    #[arg(long, default_value = ".wechatpay-sandbox")]
    dir: PathBuf,
    /// Sign answers with the platform certificate instead of the public key.
    #[arg(long)]
    certificate_mode: bool,
    /// Probability (0-1) that a request meets a fault.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Seed of the fault decisions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Faults to choose from (500, 502-html, 503, 429, 202, delay, drop-before,
    /// drop-after, truncate, probe, tamper, stale, unsigned); all by default.
    #[arg(long, value_delimiter = ',')]
    faults: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut plan = FaultPlan {
        seed: args.seed,
        rate: args.fault_rate,
        ..FaultPlan::default()
    };
    if !args.faults.is_empty() {
        plan.kinds = args
            .faults
            .iter()
            .map(|name| Fault::from_name(name).ok_or_else(|| format!("unknown fault {name:?}")))
            .collect::<Result<_, _>>()?;
    }
    let sandbox = Sandbox::start(SandboxConfig {
        addr: args.addr,
        signing: if args.certificate_mode {
            SigningMode::PlatformCertificate
        } else {
            SigningMode::PublicKey
        },
        faults: plan,
        ..SandboxConfig::default()
    })
    .await?;
    println!(
        "# WeChat Pay sandbox on {} (Ctrl-C stops it). A client needs:",
        sandbox.base_url()
    );
    for (name, value) in sandbox.environment(&args.dir)? {
        println!("export {name}={value}");
    }
    println!(
        "# Stocks: {} (MERCHANT_UPLOAD), {} (WECHATPAY_MODE)",
        wechatpay_sandbox::DEFAULT_STOCK,
        wechatpay_sandbox::WECHATPAY_MODE_STOCK
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
