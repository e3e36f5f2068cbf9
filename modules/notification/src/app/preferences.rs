//! Reading and changing a user's notification preferences (one transaction each).

use super::Notifications;
use crate::domain::preferences::{self, Choices, Invalid, Requested};
use crate::store::{held, preferences as store};
use uuid::Uuid;

/// Why a change is refused.
#[derive(Debug, thiserror::Error)]
pub enum PreferenceProblem {
    #[error("the preferences are invalid")]
    Invalid(Vec<Invalid>),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// What `user_id` chose.
pub async fn read(app: &Notifications, user_id: Uuid) -> Result<Choices, sea_orm::DbErr> {
    store::choices(app.db.conn(), user_id).await
}

/// Applies `requested` settings and, when given, the new digest categories — all or nothing.
/// Messages held for a category no longer in the digest go out one by one.
pub async fn update(
    app: &Notifications,
    user_id: Uuid,
    requested: &[Requested],
    digest: Option<&[String]>,
) -> Result<Choices, PreferenceProblem> {
    let change = preferences::check(requested, digest).map_err(PreferenceProblem::Invalid)?;
    let txn = app.db.begin().await?;
    store::apply(&*txn, user_id, &change).await?;
    let released = match &change.digest {
        Some(digested) => held::release(&*txn, user_id, digested).await?,
        None => 0,
    };
    let choices = store::choices(&*txn, user_id).await?;
    txn.commit().await?;
    if released > 0 {
        app.wake.notify_one();
    }
    Ok(choices)
}
