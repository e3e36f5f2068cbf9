//! An event becomes ledger rows — one per recipient and channel the recipient has not turned
//! off (see `planning`) — inside the event's inbox transaction. Nothing is sent here: the
//! dispatcher sends after the commit, so a slow or failing provider never holds the
//! transaction, and redelivery finds the rows already there.
//! Only once the transaction has committed is the dispatcher woken (so it finds the rows) and
//! are new in-app items pushed to live streams (so no one sees an item that may roll back).

use super::{
    directory::{customer_key, user_key},
    live::LiveItem,
    planning::{self, Timing},
    Notifications,
};
use crate::domain::{
    rendering,
    routing::{self, Audience},
    Channel, DeliveryStatus,
};
use crate::store::{deliveries, inbox, people};
use kernel::{events::EventEnvelope, WriteTxn};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

/// A resolved recipient with what each channel needs.
#[derive(Debug, Clone)]
struct Person {
    key: String,
    user_id: Option<Uuid>,
    /// Whose local time applies (SMS quiet hours).
    dealer_id: Option<Uuid>,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    locale: Option<String>,
    /// Customers must have agreed to a channel; users get work messages on every channel.
    consent_email: bool,
    consent_sms: bool,
}

impl Person {
    fn from_user(user: people::users::Model) -> Self {
        Self {
            key: user_key(user.id),
            user_id: Some(user.id),
            dealer_id: user.dealer_id,
            name: user.name,
            email: Some(user.email),
            phone: None,
            locale: Some(user.locale),
            consent_email: true,
            consent_sms: true,
        }
    }

    fn from_customer(customer: people::customers::Model) -> Self {
        Self {
            key: customer_key(customer.id),
            user_id: None,
            dealer_id: Some(customer.dealer_id),
            name: customer.full_name.unwrap_or_default(),
            email: customer.email,
            phone: customer.phone,
            locale: customer.locale,
            consent_email: customer.consent_email,
            consent_sms: customer.consent_sms,
        }
    }

    /// Where `channel` reaches this person, if it may (consent) and can (an address).
    fn address(&self, channel: Channel) -> Option<Option<String>> {
        match channel {
            Channel::Email if self.consent_email => self.email.clone().map(Some),
            Channel::Sms if self.consent_sms => self.phone.clone().map(Some),
            Channel::InApp => self.user_id.map(|_| None),
            _ => None,
        }
    }
}

async fn resolve(db: &impl ConnectionTrait, audience: Audience) -> anyhow::Result<Vec<Person>> {
    Ok(match audience {
        Audience::User(id) => people::user(db, id)
            .await?
            .into_iter()
            .map(Person::from_user)
            .collect(),
        Audience::DealerManagers(dealer) => {
            people::users_with_role(db, "dealer_manager", Some(dealer))
                .await?
                .into_iter()
                .map(Person::from_user)
                .collect()
        }
        Audience::EvmStaff => people::users_with_role(db, "evm_staff", None)
            .await?
            .into_iter()
            .map(Person::from_user)
            .collect(),
        Audience::Customer(id) => people::customer(db, id)
            .await?
            .into_iter()
            .map(Person::from_customer)
            .collect(),
    })
}

/// Queues the messages `event` routes to, inside `txn`; after its commit, wakes the dispatcher
/// and pushes the new in-app items live. Returns how many rows were new.
pub async fn queue(
    app: &Notifications,
    txn: &mut WriteTxn,
    event: &EventEnvelope,
) -> anyhow::Result<usize> {
    let mut live = Vec::new();
    let queued = queue_rows(app, &**txn, event, &mut live).await?;
    if queued > 0 {
        let wake = app.wake.clone();
        txn.after_commit(move || wake.notify_one());
    }
    if !live.is_empty() {
        let push = app.live.clone();
        txn.after_commit(move || push.publish(&live));
    }
    Ok(queued)
}

async fn queue_rows(
    app: &Notifications,
    db: &impl ConnectionTrait,
    event: &EventEnvelope,
    live: &mut Vec<LiveItem>,
) -> anyhow::Result<usize> {
    let Some(route) = routing::route(&event.name, &event.payload)? else {
        return Ok(0);
    };
    let mut queued = 0;
    for recipients in &route.recipients {
        let people = resolve(db, recipients.audience).await?;
        if people.is_empty() {
            tracing::debug!(event = %event.name, audience = ?recipients.audience, "no one to tell");
        }
        for person in people {
            let choices = planning::choices_of(db, person.user_id).await?;
            for channel in recipients.channels {
                let Some(address) = person.address(*channel) else {
                    continue; // no consent or no address for this channel
                };
                let now = chrono::Utc::now();
                let timing = planning::timing(
                    app,
                    db,
                    &choices,
                    route.category,
                    *channel,
                    person.dealer_id,
                    now,
                )
                .await?;
                let Some(timing) = timing else {
                    continue; // the user turned this channel off for the category
                };
                let row = Row {
                    category: route.category,
                    person: &person,
                    channel: *channel,
                    address,
                    timing,
                };
                if insert(app, db, event, row, live).await? {
                    queued += 1;
                }
            }
        }
    }
    Ok(queued)
}

/// One ledger row to write: to whom, on which channel, where.
struct Row<'a> {
    category: &'a str,
    person: &'a Person,
    channel: Channel,
    address: Option<String>,
    /// When it may go (quiet hours) and whether it waits for the digest.
    timing: Timing,
}

async fn insert(
    app: &Notifications,
    db: &impl ConnectionTrait,
    event: &EventEnvelope,
    row: Row<'_>,
    live: &mut Vec<LiveItem>,
) -> anyhow::Result<bool> {
    let Row {
        category,
        person,
        channel,
        address,
        timing,
    } = row;
    let now = chrono::Utc::now();
    let locale = app.locale_for(person.locale.as_deref());
    let context = rendering::context(&event.payload, &person.name, &app.settings.public_base_url);
    let id = Uuid::now_v7();
    // In-app messages are delivered by being stored: rendered now, settled now.
    let in_app = if channel == Channel::InApp {
        let parts = super::templates::effective(db, &event.name, channel, &locale).await?;
        Some(rendering::render(&parts, &context))
    } else {
        None
    };
    let (status, subject, last_error) = match &in_app {
        Some(Ok(rendered)) => (DeliveryStatus::Sent, Some(rendered.subject.clone()), None),
        Some(Err(error)) => (DeliveryStatus::Dead, None, Some(error.to_string())),
        None if timing.held => (DeliveryStatus::Digest, None, None),
        None => (DeliveryStatus::Queued, None, None),
    };
    let sent = status == DeliveryStatus::Sent;
    let row = deliveries::ActiveModel {
        id: Set(id),
        event_id: Set(event.id.to_string()),
        event_name: Set(event.name.clone()),
        category: Set(category.to_owned()),
        recipient: Set(person.key.clone()),
        user_id: Set(person.user_id),
        channel: Set(channel.as_str().to_owned()),
        locale: Set(locale),
        address: Set(address),
        context: Set(context),
        subject: Set(subject),
        status: Set(status.as_str().to_owned()),
        attempts: Set(i32::from(in_app.is_some())),
        next_attempt_at: Set(timing.not_before_ms),
        claimed_until: Set(None),
        claim_token: Set(None),
        last_error: Set(last_error),
        provider: Set(in_app.is_some().then(|| "in_app".to_owned())),
        provider_message_id: Set(sent.then(|| id.to_string())),
        created_at: Set(now),
        updated_at: Set(now),
        sent_at: Set(sent.then_some(now)),
    };
    if !deliveries::insert_once(db, row).await? {
        return Ok(false); // redelivery: the message exists already
    }
    if let (Some(Ok(rendered)), Some(user_id)) = (in_app, person.user_id) {
        let item = inbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            delivery_id: Set(id),
            event_id: Set(event.id.to_string()),
            event_name: Set(event.name.clone()),
            category: Set(category.to_owned()),
            title: Set(rendered.subject),
            body: Set(rendered.text),
            created_at: Set(now),
            read_at: Set(None),
            archived_at: Set(None),
        }
        .insert(db)
        .await?;
        let unread = inbox::unread_count(db, user_id).await?;
        live.push(LiveItem { item, unread });
    }
    Ok(true)
}
