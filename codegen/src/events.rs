//! Notifications: a typed resource per documented event and an `Event` enum
//! over every known event type, with `Unknown` for the rest, so that a new
//! event type never fails a receiver.

use proc_macro2::TokenStream;
use quote::quote;
use wechatpay_spec::{NotificationFormat, Spec};

use crate::CodegenError;
use crate::docs::lines_to_doc;
use crate::names::{Names, camel, ident};
use crate::types::{Side, TypeBuilder};

/// The `events` module, or nothing when the spec has no JSON notifications.
pub(crate) fn events_module(
    spec: &Spec,
    rt: &TokenStream,
    json_schema_feature: bool,
) -> Result<TokenStream, CodegenError> {
    let notifications: Vec<_> = spec
        .notifications
        .iter()
        .filter(|n| n.format == NotificationFormat::Json)
        .collect();
    if notifications.is_empty() {
        return Ok(TokenStream::new());
    }
    let mut builder = TypeBuilder::new(rt, json_schema_feature);
    let mut variant_names = Names::default();
    variant_names.try_take("Unknown");
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut ids = Vec::new();
    for notification in notifications {
        let first = &notification.event_types[0];
        builder.prefix = camel(first);
        let name = builder.type_name(
            &format!("{}Resource", camel(first)),
            &format!("{}Event", camel(first)),
        );
        let mut docs = vec![format!(
            "The decrypted resource of {} (`{}`).",
            notification.summary,
            notification.event_types.join("`, `")
        )];
        docs.extend(
            notification
                .doc_links
                .iter()
                .map(|link| format!("<{link}>")),
        );
        builder
            .struct_for(&name, &docs, &notification.resource, Side::Response, true)
            .map_err(|e| e.at(format!("notification {first} ({})", notification.source)))?;
        for event_type in &notification.event_types {
            let variant = ident(&variant_names.take(&camel(event_type)));
            let doc = lines_to_doc(&[format!("{} (`{event_type}`).", notification.summary)]);
            variants.push(quote! {
                #doc
                #variant(#rt::notify::Notification<#name>),
            });
            arms.push(quote! {
                #event_type => notification.decode().map(Event::#variant),
            });
            ids.push(variant);
        }
    }
    let items = builder.items;
    Ok(quote! {
        /// Notifications (回调通知): the decrypted resource of every documented
        /// event, and [`Event`](events::Event) over them all.
        pub mod events {
            #(#items)*

            /// A verified, decrypted notification, by event type. Event types
            /// these bindings do not know yet are [`Event::Unknown`], with their
            /// decrypted JSON: a new event type never fails a receiver.
            #[derive(Debug)]
            #[non_exhaustive]
            #[allow(clippy::large_enum_variant, reason = "one event is handled at a time; boxing would only add a step")]
            pub enum Event {
                #(#variants)*
                /// An event type the docs these bindings come from do not list.
                Unknown(#rt::notify::Notification<::serde_json::Value>),
            }

            impl Event {
                /// Verifies, decrypts and decodes a notification from its raw
                /// headers and body bytes.
                pub async fn parse(
                    parser: &#rt::notify::NotificationParser,
                    headers: &#rt::notify::HeaderMap,
                    body: &[u8],
                ) -> ::std::result::Result<Event, #rt::notify::NotificationError> {
                    let notification = parser.parse::<::serde_json::Value>(headers, body).await?;
                    Event::from_notification(notification)
                }

                /// Types an already verified and decrypted notification by its event type.
                pub fn from_notification(
                    notification: #rt::notify::Notification<::serde_json::Value>,
                ) -> ::std::result::Result<Event, #rt::notify::NotificationError> {
                    match notification.event_type.as_str() {
                        #(#arms)*
                        _ => ::std::result::Result::Ok(Event::Unknown(notification)),
                    }
                }

                /// The notification's id, to deduplicate by.
                pub fn id(&self) -> &str {
                    match self {
                        #(Event::#ids(notification) => &notification.id,)*
                        Event::Unknown(notification) => &notification.id,
                    }
                }

                /// The notification's event type (`COUPON.SEND`).
                pub fn event_type(&self) -> &str {
                    match self {
                        #(Event::#ids(notification) => &notification.event_type,)*
                        Event::Unknown(notification) => &notification.event_type,
                    }
                }
            }
        }
    })
}
