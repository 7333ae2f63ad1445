//! Notifications: a typed resource per documented event and an `Event` enum
//! over every known event type, with `Unknown` for the rest, so that a new
//! event type never fails a receiver.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use std::collections::HashMap;

use wechatpay_spec::{Notification, NotificationFormat, Spec};

use crate::CodegenError;
use crate::docs::lines_to_doc;
use crate::names::{Names, camel, ident};
use crate::types::{Side, TypeBuilder};

/// The event type a page's types are named after: the one it is named
/// after, else the first it lists.
fn page_event(notification: &Notification) -> &str {
    notification
        .named_event()
        .unwrap_or(&notification.event_types[0])
}

/// The page each event type is routed to: the page named after it, else the
/// first page that lists it. A page that lists an event type another page
/// owns (`PROFITSHARING.SUCCESS` also comes as `TRANSACTION.SUCCESS`) gets
/// it only for its original types the owner does not list.
fn owners<'a>(notifications: &[&'a Notification]) -> HashMap<&'a str, usize> {
    let mut owners: HashMap<&str, usize> = HashMap::new();
    for (index, notification) in notifications.iter().enumerate() {
        if let Some(event_type) = notification.named_event() {
            owners.insert(event_type, index);
        }
    }
    for (index, notification) in notifications.iter().enumerate() {
        for event_type in &notification.event_types {
            owners.entry(event_type).or_insert(index);
        }
    }
    owners
}

/// The facade's feature that enables the events' crate, and the crate's
/// name after the facade's (`wechatpay-bindings-events`), like an area's.
pub const EVENTS_FEATURE: &str = "events";

/// What the events' crate holds, for its description.
pub(crate) const EVENTS_TITLE: &str = "The typed notifications (回调通知)";

/// The files of the events' crate (`lib.rs`, `generated.rs`) around the
/// events module's `items`: laid out like an area crate's, its items in a
/// private module re-exported whole, so that the file can carry
/// `#[rustfmt::skip]`.
pub(crate) fn events_crate(items: &str) -> [(String, String); 2] {
    let doc = format!(
        "{EVENTS_DOC} The bindings enable it with their `{EVENTS_FEATURE}` feature and name it `events`."
    );
    let root = quote! {
        #![doc = #doc]
        #![deny(missing_docs)]
        #[rustfmt::skip]
        mod generated;
        pub use generated::*;
    };
    // The module says what the unsplit `events` module says.
    let module = format!("{} {items}", quote!(#![doc = #EVENTS_DOC]));
    [
        ("lib.rs".to_owned(), root.to_string()),
        ("generated.rs".to_owned(), module),
    ]
}

/// What the events module (or crate) says of itself.
pub(crate) const EVENTS_DOC: &str = " Notifications (回调通知): the decrypted resource of every documented event, and [`Event`] over them all.";

/// The items of the `events` module, or nothing when the spec has no JSON
/// notifications.
pub(crate) fn events_module(
    spec: &Spec,
    rt: &TokenStream,
    json_schema_feature: bool,
) -> Result<Option<TokenStream>, CodegenError> {
    let notifications: Vec<_> = spec
        .notifications
        .iter()
        .filter(|n| n.format == NotificationFormat::Json)
        .collect();
    if notifications.is_empty() {
        return Ok(None);
    }
    let mut builder = TypeBuilder::new(rt, json_schema_feature);
    let mut variant_names = Names::default();
    variant_names.try_take("Unknown");
    variant_names.try_take("Undecoded");
    let mut arms = Arms {
        variants: Vec::new(),
        specific: Vec::new(),
        by_event_type: Vec::new(),
        ids: Vec::new(),
    };
    let owners = owners(&notifications);
    for (index, notification) in notifications.iter().enumerate() {
        let resource = resource_type(&mut builder, notification)?;
        let page = Page {
            notification,
            resource: &resource,
            owned: notification
                .event_types
                .iter()
                .filter(|event_type| owners[event_type.as_str()] == index)
                .map(String::as_str)
                .collect(),
            routed: routed_here(&notifications, &owners, index),
        };
        arms.add_page(rt, &mut variant_names, &page);
    }
    Ok(Some(event_enum(rt, &builder.items, &arms)))
}

/// Pushes the struct of a page's decrypted resource, and names it.
fn resource_type(
    builder: &mut TypeBuilder<'_>,
    notification: &Notification,
) -> Result<Ident, CodegenError> {
    let main = page_event(notification);
    builder.prefix = camel(main);
    let name = builder.type_name(
        &format!("{}Resource", camel(main)),
        &format!("{}Event", camel(main)),
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
        .map_err(|e| e.at(format!("notification {main} ({})", notification.source)))?;
    Ok(name)
}

/// Event types another page owns reach page `index`'s resource only for the
/// original types that page does not cover (see `owners`): those
/// `(event_type, original_type)` pairs.
fn routed_here<'a>(
    notifications: &[&'a Notification],
    owners: &HashMap<&str, usize>,
    index: usize,
) -> Vec<(&'a str, &'a str)> {
    let notification = notifications[index];
    let mut routed = Vec::new();
    for event_type in &notification.event_types {
        let owner_index = owners[event_type.as_str()];
        if owner_index == index {
            continue;
        }
        let owner = notifications[owner_index];
        for original_type in &notification.original_types {
            if !owner.original_types.contains(original_type) {
                routed.push((event_type.as_str(), original_type.as_str()));
            }
        }
    }
    routed
}

/// A notification page as the `Event` enum sees it.
struct Page<'a> {
    notification: &'a Notification,
    /// The type of its decrypted resource.
    resource: &'a Ident,
    /// The event types it owns (see `owners`): a variant each.
    owned: Vec<&'a str>,
    /// The `(event_type, original_type)` pairs of other pages' event types
    /// that this page's resource decodes.
    routed: Vec<(&'a str, &'a str)>,
}

/// What the `Event` enum is made of: its variants, the match arms that
/// route a notification to one (by event and original type first, then by
/// event type), and the variants with a notification inside.
struct Arms {
    variants: Vec<TokenStream>,
    specific: Vec<TokenStream>,
    by_event_type: Vec<TokenStream>,
    ids: Vec<Ident>,
}

impl Arms {
    /// A variant per event type the page owns, and the arms that reach them;
    /// the pairs routed to the page reach its first variant.
    fn add_page(&mut self, rt: &TokenStream, variant_names: &mut Names, page: &Page<'_>) {
        let (notification, name) = (page.notification, page.resource);
        let mut page_variant = None;
        for &event_type in &page.owned {
            let variant = ident(&variant_names.take(&camel(event_type)));
            let mut doc = vec![format!("{} (`{event_type}`).", notification.summary)];
            if page_variant.is_none() {
                doc.extend(page.routed.iter().map(|(event, original)| {
                    format!("Also `{event}` with original type `{original}`.")
                }));
            }
            let doc = lines_to_doc(&doc);
            self.variants.push(quote! {
                #doc
                #variant(#rt::notify::Notification<#name>),
            });
            self.by_event_type.push(quote! {
                (#event_type, _) => typed(notification, Event::#variant),
            });
            self.ids.push(variant.clone());
            page_variant.get_or_insert(variant);
        }
        if let Some(variant) = page_variant {
            for (event_type, original_type) in &page.routed {
                self.specific.push(quote! {
                    (#event_type, #original_type) => typed(notification, Event::#variant),
                });
            }
        }
    }
}

/// The resource types (`items`), `Event` over them and its impls.
fn event_enum(rt: &TokenStream, items: &[TokenStream], arms: &Arms) -> TokenStream {
    let Arms {
        variants,
        specific: specific_arms,
        by_event_type: arms,
        ids,
    } = arms;
    quote! {
        #(#items)*

        /// A verified, decrypted notification, by event type. Event types
        /// these bindings do not know yet are [`Event::Unknown`], and a
        /// resource that does not decode as its documented type is
        /// [`Event::Undecoded`], each with the decrypted JSON: every genuine
        /// notification reaches the handler, none is refused for its shape.
        #[derive(Debug)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant, reason = "one event is handled at a time; boxing would only add a step")]
        pub enum Event {
            #(#variants)*
            /// An event type the docs these bindings come from do not list.
            Unknown(#rt::notify::Notification<::serde_json::Value>),
            /// A documented event whose resource did not decode as its type:
            /// the JSON as sent, and where and why it did not fit.
            Undecoded(::std::boxed::Box<#rt::notify::Undecoded>),
        }

        impl Event {
            /// Verifies, decrypts and types a notification from its raw
            /// headers and body bytes. Fails only for a notification that
            /// is not WeChat Pay's or cannot be read (signature, envelope,
            /// decryption).
            pub async fn parse(
                parser: &#rt::notify::NotificationParser,
                headers: &#rt::notify::HeaderMap,
                body: &[u8],
            ) -> ::std::result::Result<Event, #rt::notify::NotificationError> {
                let notification = parser.parse::<::serde_json::Value>(headers, body).await?;
                ::std::result::Result::Ok(Event::from_notification(notification))
            }

            /// Types an already verified and decrypted notification by its event type.
            pub fn from_notification(
                notification: #rt::notify::Notification<::serde_json::Value>,
            ) -> Event {
                fn typed<T: ::serde::de::DeserializeOwned>(
                    notification: #rt::notify::Notification<::serde_json::Value>,
                    variant: fn(#rt::notify::Notification<T>) -> Event,
                ) -> Event {
                    match notification.decode() {
                        ::std::result::Result::Ok(typed) => variant(typed),
                        ::std::result::Result::Err(undecoded) => Event::Undecoded(undecoded),
                    }
                }
                let key = (notification.event_type.as_str(), notification.original_type.as_str());
                match key {
                    #(#specific_arms)*
                    #(#arms)*
                    _ => Event::Unknown(notification),
                }
            }

            /// The notification's id, to deduplicate by.
            pub fn id(&self) -> &str {
                match self {
                    #(Event::#ids(notification) => &notification.id,)*
                    Event::Unknown(notification) => &notification.id,
                    Event::Undecoded(undecoded) => &undecoded.notification.id,
                }
            }

            /// The notification's event type (`COUPON.SEND`).
            pub fn event_type(&self) -> &str {
                match self {
                    #(Event::#ids(notification) => &notification.event_type,)*
                    Event::Unknown(notification) => &notification.event_type,
                    Event::Undecoded(undecoded) => &undecoded.notification.event_type,
                }
            }
        }

        impl #rt::notify::FromNotification for Event {
            fn from_notification(
                notification: #rt::notify::Notification<::serde_json::Value>,
            ) -> Event {
                Event::from_notification(notification)
            }
        }
    }
}
