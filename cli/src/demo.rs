//! `couponcodes demo` and `--sandbox events serve`: the main job, and the
//! notifications receiver, against an embedded sandbox with no credentials.

use std::path::Path;
use std::process::ExitCode;

use futures_util::StreamExt;
use wechatpay_bindings::WechatPayApi;
use wechatpay_bindings::couponcodes::export_codes;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesQuery;
use wechatpay_bindings::v3::marketing::busifavor::stocks::stock_id::couponcodes::coupon_code::{
    DeleteCouponCodeQuery, GetCouponCodeQuery,
};
use wechatpay_runtime::Client;
use wechatpay_runtime::notify::NotificationParser;
use wechatpay_sandbox::{Sandbox, SandboxConfig};

use super::{explain, interrupted, upload};

/// Makes `listener` the sandbox's notify URL; returns what verifies and
/// decrypts the sandbox's notifications.
async fn receiver_on(
    sandbox: &Sandbox,
    client: &wechatpay_runtime::Client,
    listener: &tokio::net::TcpListener,
) -> Result<NotificationParser, String> {
    let parser = NotificationParser::for_client(client, sandbox.keys().apiv3_key.as_bytes())
        .map_err(|e| explain(&e.into()))?;
    let url = format!(
        "http://{}/notify",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    super::register_notify_url(client, &url).await?;
    Ok(parser)
}

/// `couponcodes --sandbox events serve`: a receiver registered with an
/// in-process sandbox, to try it by hand (the sandbox ends with the command).
pub async fn events_on_sandbox(args: couponcodes::events::ServeArgs) -> Result<ExitCode, String> {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let client = sandbox.client_builder().build().map_err(|e| explain(&e))?;
    let listener = couponcodes::events::bind(&args).await?;
    let parser = receiver_on(&sandbox, &client, &listener).await?;
    eprintln!(
        "(in-process sandbox at {base}; it holds no codes until some are uploaded to it, e.g. with\n curl -X POST {base}/sandbox/claim -d '{{\"stock_id\":\"{stock}\",\"count\":1}}' after an upload;\n `couponcodes demo` shows the whole flow)",
        base = sandbox.base_url(),
        stock = wechatpay_sandbox::DEFAULT_STOCK
    );
    couponcodes::events::serve(parser, listener, &args.out, interrupted()).await
}

/// `couponcodes demo`: the main job end to end against an embedded sandbox.
pub async fn run(count: u64) -> Result<ExitCode, String> {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let stock = wechatpay_sandbox::DEFAULT_STOCK;
    // Removed when dropped, whichever way the demo ends.
    let dir = tempfile::Builder::new()
        .prefix("couponcodes-demo-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let file = dir.path().join("codes.txt");
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
        reading: Default::default(),
        skip_invalid: false,
        concurrency: 4,
        rate: None,
        batch_id: None,
        journal: Some(dir.path().join("codes.journal")),
        json: false,
    };
    let status = upload::run(sandbox.client_builder(), args, interrupted()).await?;
    let client = sandbox.client_builder().build().map_err(|e| explain(&e))?;
    export(&client, stock).await?;
    get_and_delete(&client, stock, "DEMO00000000").await?;
    claims(&sandbox, &client, stock, dir.path()).await?;
    println!(
        "\n== Against the real API: set WECHATPAY_MCHID, WECHATPAY_MCH_SERIAL, WECHATPAY_PRIVATE_KEY and"
    );
    println!(
        "   WECHATPAY_PUBLIC_KEY_ID + WECHATPAY_PUBLIC_KEY (or WECHATPAY_APIV3_KEY), then e.g."
    );
    println!("   couponcodes upload --stock-id <your stock> codes.txt");
    Ok(status)
}

/// Step 2: every code WeChat Pay holds, paged; the first three shown.
async fn export(client: &Client, stock: &str) -> Result<(), String> {
    println!("\n== 2. export what WeChat Pay holds (the first 3 shown)");
    let mut listed = 0u64;
    let mut pages = std::pin::pin!(export_codes(
        client,
        stock,
        ListCouponCodesQuery::new().with_limit(100),
        4
    ));
    while let Some(page) = pages.next().await {
        for item in page.map_err(|e| e.to_string())? {
            if listed < 3 {
                println!(
                    "{:<16} {:<10} {}",
                    item.code.unwrap_or_default(),
                    item.code_status.map(|s| s.to_string()).unwrap_or_default(),
                    item.upload_time.map(|t| t.to_string()).unwrap_or_default()
                );
            }
            listed += 1;
        }
    }
    println!("... {listed} codes exported");
    Ok(())
}

/// Steps 3 and 4: one code, then its deletion.
async fn get_and_delete(client: &Client, stock: &str, code: &str) -> Result<(), String> {
    println!("\n== 3. one code");
    let one = client
        .get_coupon_code(stock, code, GetCouponCodeQuery::new())
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
            code,
            DeleteCouponCodeQuery::new(super::fresh_request_no(stock, code)),
        )
        .await
        .map_err(|e| explain(&e))?;
    println!(
        "{}",
        serde_json::to_string(&deleted).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Step 5: users claim codes, and the notifications of it reach a receiver.
async fn claims(sandbox: &Sandbox, client: &Client, stock: &str, dir: &Path) -> Result<(), String> {
    println!("\n== 5. users claim codes; WeChat Pay tells the merchant which code went to whom");
    let events = dir.join("events.jsonl");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let parser = receiver_on(sandbox, client, &listener).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let receiver = tokio::spawn({
        let events = events.clone();
        async move {
            couponcodes::events::serve(parser, listener, &events, async {
                let _ = stopped.await;
            })
            .await
        }
    });
    let claimed = sandbox.claim(stock, 3, "oDemoUser")?;
    while sandbox.notifications().pending() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    receiver.await.map_err(|e| e.to_string())??;
    let text = std::fs::read_to_string(&events).map_err(|e| e.to_string())?;
    for line in text.lines() {
        let event: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let resource = &event["resource"];
        println!(
            "{} {} -> {}",
            event["event_type"].as_str().unwrap_or_default(),
            resource["coupon_code"].as_str().unwrap_or_default(),
            resource["openid"].as_str().unwrap_or_default()
        );
    }
    println!(
        "({} codes claimed, {} events received)",
        claimed.len(),
        text.lines().count()
    );
    Ok(())
}
