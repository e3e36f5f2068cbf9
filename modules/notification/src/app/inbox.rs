//! The caller's inbox: marking read, unread, all read, archiving (each one write transaction).

use crate::store::inbox;
use kernel::Db;
use sea_orm::DbErr;
use uuid::Uuid;

/// Marks one of `user_id`'s notifications read or unread; whether it is theirs.
pub async fn mark(db: &Db, user_id: Uuid, id: Uuid, read: bool) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let found = inbox::mark(&*txn, user_id, id, read).await?;
    txn.commit().await?;
    Ok(found)
}

/// Marks every notification of `user_id` read; how many changed.
pub async fn mark_all_read(db: &Db, user_id: Uuid) -> Result<u64, DbErr> {
    let txn = db.begin().await?;
    let marked = inbox::mark_all_read(&*txn, user_id).await?;
    txn.commit().await?;
    Ok(marked)
}

/// Archives one of `user_id`'s notifications; whether it is theirs.
pub async fn archive(db: &Db, user_id: Uuid, id: Uuid) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let found = inbox::archive(&*txn, user_id, id).await?;
    txn.commit().await?;
    Ok(found)
}
