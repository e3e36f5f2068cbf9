//! Administration of service clients (machine identities using the client-credentials grant).

use super::Services;
use crate::{
    domain::{service_clients::parse_scopes, AuthResult, ExpectedVersion},
    store::service_clients::{self, Changes},
    tokens::new_secret,
};
use kernel::{
    pagination::{ListParams, Page},
    DomainError, DomainResult,
};
use uuid::Uuid;

/// A client with its secret, known only at creation and rotation.
#[derive(Debug)]
pub struct WithSecret {
    pub client: service_clients::Model,
    pub secret: String,
}

pub async fn list(
    services: &Services,
    params: &ListParams,
) -> DomainResult<Page<service_clients::Model>> {
    service_clients::list(services.db.conn(), params).await
}

pub async fn get(services: &Services, id: Uuid) -> DomainResult<service_clients::Model> {
    service_clients::find(services.db.conn(), id)
        .await?
        .ok_or(DomainError::NotFound("service client"))
}

/// Creates a client with a new secret.
pub async fn create(
    services: &Services,
    name: &str,
    scopes: &[String],
) -> DomainResult<WithSecret> {
    let scopes = parse_scopes(scopes)?;
    let (secret, hash) = new_secret();
    let txn = services.db.begin().await?;
    let client = service_clients::insert(&*txn, name.trim(), hash, scopes).await?;
    txn.commit().await?;
    Ok(WithSecret { client, secret })
}

/// Changes to a client; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Updates a client at the version read.
pub async fn update(
    services: &Services,
    id: Uuid,
    expected: ExpectedVersion,
    changes: ClientChanges,
) -> AuthResult<service_clients::Model> {
    let client = get(services, id).await?;
    let scopes = match &changes.scopes {
        Some(list) => parse_scopes(list)?,
        None => client.scopes.clone(),
    };
    let txn = services.db.begin().await?;
    let to = Changes {
        name: changes
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&client.name),
        scopes,
        active: changes.active.unwrap_or(client.active),
    };
    if !service_clients::update_at_version(&*txn, client.id, expected.version(), to).await? {
        return Err(expected.stale());
    }
    let updated = service_clients::find(&*txn, client.id)
        .await?
        .ok_or(DomainError::NotFound("service client"))?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn delete(services: &Services, id: Uuid) -> DomainResult<()> {
    let txn = services.db.begin().await?;
    if !service_clients::delete(&*txn, id).await? {
        return Err(DomainError::NotFound("service client"));
    }
    txn.commit().await?;
    Ok(())
}

/// Issues a new secret; the old one stops working at once.
pub async fn rotate_secret(services: &Services, id: Uuid) -> DomainResult<WithSecret> {
    let client = get(services, id).await?;
    let (secret, hash) = new_secret();
    let txn = services.db.begin().await?;
    let client = service_clients::set_secret(&*txn, client, hash).await?;
    txn.commit().await?;
    Ok(WithSecret { client, secret })
}
